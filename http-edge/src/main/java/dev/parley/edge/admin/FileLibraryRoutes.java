package dev.parley.edge.admin;

import dev.parley.core.access.Permission;
import dev.parley.edge.ApiError;
import dev.parley.edge.files.FileSettings;
import dev.parley.edge.files.Uploads;
import dev.parley.persistence.blob.BlobStore;
import dev.parley.persistence.files.FileLibrary;
import dev.parley.persistence.files.FileRecords;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code /api/sites/{id}/library}: the site's library of common files (PROTOCOL.md §13 "The library of common
 * files"), which every member lists and agents send with {@code attachment.libraryFileId}; its admins add an entry
 * from their own complete upload (so it passed the same type, size, image and quota checks as any file), rename
 * and remove it. {@code /api/sites/{id}/file-policy}: the site's own file limits (size cap, quota, types).
 */
public final class FileLibraryRoutes extends ApiRoutes {

  private static final Pattern MEDIA_TYPE = Pattern.compile("[a-z0-9][a-z0-9.+-]{0,63}/[a-z0-9][a-z0-9.+-]{0,63}");
  private static final String ADMINS_ONLY = "only the site's owners and admins change its files";

  private final SiteRoutes sites;
  private final FileLibrary library;
  private final FileRecords records;
  private final BlobStore blobs;
  private final Uploads uploads;

  public FileLibraryRoutes(
      ApiContext api, SiteRoutes sites, FileLibrary library, FileRecords records, BlobStore blobs, Uploads uploads) {
    super(api);
    this.sites = sites;
    this.library = library;
    this.records = records;
    this.blobs = blobs;
    this.uploads = uploads;
  }

  record LibraryFileView(
      String id, String name, long size, String type, Integer width, Integer height, boolean thumbnail,
      String createdBy, Instant createdAt) {
    static LibraryFileView of(FileLibrary.Entry e) {
      return new LibraryFileView(
          e.id().toString(), e.name(), e.size(), e.mediaType(), e.width(), e.height(), e.hasThumbnail(),
          e.createdBy(), e.createdAt());
    }
  }

  record PolicyView(
      Long maxFileBytes, Long quotaBytes, List<String> allowedTypes, long effectiveMaxFileBytes,
      long effectiveQuotaBytes, List<String> effectiveAllowedTypes, long usedBytes) {}

  @Override
  public Route routes() {
    return underSite(
        siteId ->
            concat(
                pathPrefix(
                    "library",
                    () ->
                        concat(
                            pathEnd(
                                () ->
                                    concat(
                                        get(() -> list(siteId)),
                                        post(() -> withBody(body -> add(siteId, body))))),
                            path(
                                PathMatchers.segment(),
                                id ->
                                    concat(
                                        patch(() -> withBody(body -> rename(siteId, id, body))),
                                        delete(() -> remove(siteId, id)))))),
                path(
                    "file-policy",
                    () ->
                        concat(
                            get(() -> policy(siteId)),
                            put(() -> withBody(body -> setPolicy(siteId, body)))))));
  }

  private Route list(String siteId) {
    return authenticated(
        principal ->
            blocking(
                () -> {
                  sites.memberSite(principal, siteId);
                  return json(200, library.list(siteId).stream().map(LibraryFileView::of).toList());
                }));
  }

  private Route add(String siteId, RequestBody body) {
    String uploadId = body.requiredString("uploadId", 1, 64);
    if (!uploadId.matches("[A-Za-z0-9_-]{1,64}")) {
      throw ApiError.invalid("uploadId", "an upload id is 1 to 64 letters, digits, - or _");
    }
    String name = body.optionalString("name", 1, 255);
    return authenticated(
        principal ->
            blocking(
                () -> {
                  sites.siteWith(principal, siteId, Permission.CONFIGURE_SITE, ADMINS_ONLY);
                  FileLibrary.Added added =
                      library.add(siteId, principal.account().id(), uploadId, name, api.clock().instant());
                  if (added instanceof FileLibrary.Created created) {
                    return json(created.repeated() ? 200 : 201, LibraryFileView.of(created.entry()));
                  }
                  if (added instanceof FileLibrary.NotAvailable na) {
                    throw ApiError.invalid("uploadId", na.reason());
                  }
                  throw ApiError.conflict(
                      "uploadId", "a site's library holds at most " + FileLibrary.MAX_PER_SITE + " files");
                }));
  }

  private Route rename(String siteId, String id, RequestBody body) {
    String name = body.requiredString("name", 1, 255);
    return authenticated(
        principal ->
            blocking(
                () -> {
                  sites.siteWith(principal, siteId, Permission.CONFIGURE_SITE, ADMINS_ONLY);
                  UUID entryId = entryId(id);
                  if (!library.rename(siteId, entryId, name)) {
                    throw ApiError.notFound("no such library file");
                  }
                  return json(200, Map.of("id", entryId.toString(), "name", name));
                }));
  }

  /** Removes the entry, then erases its upload (and any left by a removal cut short): blobs first, then rows. */
  private Route remove(String siteId, String id) {
    return authenticated(
        principal ->
            blocking(
                () -> {
                  sites.siteWith(principal, siteId, Permission.CONFIGURE_SITE, ADMINS_ONLY);
                  UUID entryId = entryId(id);
                  if (library.remove(siteId, entryId).isEmpty()) {
                    throw ApiError.notFound("no such library file");
                  }
                  for (UUID orphan : library.orphans(siteId)) {
                    var upload = records.byFile(orphan);
                    if (upload.isPresent()) {
                      try {
                        records.erase(upload.get(), blobs);
                      } catch (IOException e) {
                        throw new UncheckedIOException(e);
                      }
                    }
                  }
                  return json(200, Map.of("removed", entryId.toString()));
                }));
  }

  private Route policy(String siteId) {
    return authenticated(
        principal ->
            blocking(
                () -> {
                  sites.memberSite(principal, siteId);
                  return json(200, policyView(siteId));
                }));
  }

  private Route setPolicy(String siteId, RequestBody body) {
    Long maxFileBytes = optionalBytes(body, "maxFileBytes");
    Long quotaBytes = optionalBytes(body, "quotaBytes");
    List<String> types = null;
    if (body.has("allowedTypes")) {
      types = new ArrayList<>();
      for (String t : body.stringList("allowedTypes", 100, 129)) {
        String type = t.strip().toLowerCase(Locale.ROOT);
        if (!MEDIA_TYPE.matcher(type).matches()) {
          throw ApiError.invalid("allowedTypes", "'" + t + "' is not a media type like image/png");
        }
        if (FileSettings.NEVER.contains(type)) {
          throw ApiError.invalid("allowedTypes", type + " is never allowed: a browser could run it");
        }
        if (!types.contains(type)) {
          types.add(type);
        }
      }
    }
    FileRecords.SitePolicy policy = new FileRecords.SitePolicy(maxFileBytes, quotaBytes, types);
    return authenticated(
        principal ->
            blocking(
                () -> {
                  sites.siteWith(principal, siteId, Permission.CONFIGURE_SITE, ADMINS_ONLY);
                  records.setPolicy(siteId, policy);
                  return json(200, policyView(siteId));
                }));
  }

  private PolicyView policyView(String siteId) {
    FileRecords.SitePolicy own = records.policy(siteId).orElse(new FileRecords.SitePolicy(null, null, null));
    Uploads.Policy effective = uploads.policy(siteId);
    return new PolicyView(
        own.maxFileBytes(), own.quotaBytes(), own.allowedTypes(), effective.maxFileBytes(),
        effective.quotaBytes(), effective.allowedTypes(), records.usage(siteId));
  }

  /** A byte count from 1 byte to 1 TiB, or null when absent or null (the server's default). */
  private static Long optionalBytes(RequestBody body, String field) {
    if (!body.has(field)) {
      return null;
    }
    var node = body.root().get(field);
    if (!node.canConvertToLong() || !node.isIntegralNumber() || node.asLong() < 1 || node.asLong() > (1L << 40)) {
      throw ApiError.invalid(field, "'" + field + "' is a number of bytes from 1 to 1099511627776, or null");
    }
    return node.asLong();
  }

  private static UUID entryId(String id) {
    try {
      return UUID.fromString(id);
    } catch (IllegalArgumentException e) {
      throw ApiError.notFound("no such library file");
    }
  }
}
