package dev.parley.edge.files;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.edge.ApiError;
import dev.parley.edge.ErrorMapping;
import dev.parley.edge.protocol.ErrorCode;
import dev.parley.edge.protocol.Json;
import dev.parley.persistence.blob.BlobStore;
import dev.parley.persistence.blob.BlobStore.ByteRange;
import dev.parley.persistence.files.FileRecords;
import dev.parley.persistence.files.FileRecords.Upload;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.Semaphore;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpEntity;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.javadsl.StreamConverters;

/**
 * Files over HTTP (docs/PROTOCOL.md §13): {@code PUT /files/uploads/{uploadId}} takes an upload or one chunk of it,
 * streamed to the blob store; {@code GET /files/uploads/{uploadId}} says how far an upload got (to resume it);
 * {@code GET /files/{fileId}/link} hands a participant a fresh signed link; {@code GET /files/{fileId}} and
 * {@code /thumbnail} serve a signed link's bytes with headers that keep them from ever running as a page.
 */
public final class FileRoutes extends AllDirectives {

  /** How long a chunk's body may stall before the upload of that chunk fails (the client resumes). */
  public static final Duration BODY_STALL_TIMEOUT = Duration.ofSeconds(30);
  public static final int MAX_NAME_CHARS = 255;
  public static final int MAX_UPLOAD_ID_CHARS = 64;
  /** The policy of every file answer: nothing in it may run, load or be framed. */
  public static final String FILE_POLICY = "default-src 'none'; frame-ancestors 'none'; sandbox";

  private static final Pattern CONTENT_RANGE = Pattern.compile("bytes (\\d{1,15})-(\\d{1,15})/(\\d{1,15})");
  private static final Pattern RANGE = Pattern.compile("bytes=(\\d{1,15})-(\\d{0,15})");
  private static final Pattern UPLOAD_ID = Pattern.compile("[A-Za-z0-9_-]{1," + MAX_UPLOAD_ID_CHARS + "}");

  private final Uploads uploads;
  private final FileRecords records;
  private final BlobStore store;
  private final FileAccess access;
  private final FileLinks links;
  private final Executor blocking;
  /**
   * Runs the uploads' blocking reads and writes, apart from the shared blocking pool (a slow client holds its
   * thread for as long as its chunk takes); at most {@code uploadSlots} at once, a further one is answered 503.
   */
  private final Executor uploading;
  private final Semaphore uploadSlots;

  public FileRoutes(
      Uploads uploads, FileRecords records, BlobStore store, FileAccess access, FileLinks links, Executor blocking,
      int maxConcurrentUploads) {
    this.uploads = uploads;
    this.records = records;
    this.store = store;
    this.access = access;
    this.links = links;
    this.blocking = blocking;
    this.uploadSlots = new Semaphore(maxConcurrentUploads);
    this.uploading =
        java.util.concurrent.Executors.newCachedThreadPool(
            r -> {
              Thread t = new Thread(r, "parley-upload");
              t.setDaemon(true);
              return t;
            });
  }

  public Route routes() {
    return pathPrefix(
        "files",
        () ->
            concat(
                pathPrefix(
                    "uploads",
                    () ->
                        path(
                            PathMatchers.segment(),
                            uploadId ->
                                concat(
                                    put(() -> withSiteAndToken(uploadId, this::upload)),
                                    get(
                                        () ->
                                            withSiteAndToken(
                                                uploadId,
                                                (id, site, auth) -> respond(status(id, site, auth))))))),
                pathPrefix(
                    PathMatchers.segment(),
                    fileId ->
                        concat(
                            pathEnd(() -> get(() -> download(fileId, false))),
                            path("thumbnail", () -> get(() -> download(fileId, true))),
                            path(
                                "link",
                                () ->
                                    get(
                                        () ->
                                            withSiteAndToken(
                                                fileId, (id, site, auth) -> respond(link(id, site, auth)))))))));
  }

  private interface SiteAndToken {
    Route apply(String uploadId, String site, Optional<String> auth);
  }

  /**
   * The {@code site} parameter and the token. A missing site is answered here (400), not rejected: a rejection
   * would lose to the other method's and read as "method not allowed".
   */
  private Route withSiteAndToken(String uploadId, SiteAndToken inner) {
    return parameterOptional(
        "site",
        site ->
            site.isEmpty()
                ? complete(ErrorMapping.response(400, ErrorCode.INVALID_REQUEST, "name the site: ?site=SITE_ID", "site"))
                : optionalHeaderValueByName("Authorization", auth -> inner.apply(uploadId, site.get(), auth)));
  }

  private Route respond(CompletionStage<HttpResponse> response) {
    return completeWithFuture(response.exceptionally(FileRoutes::error));
  }

  // Uploads ------------------------------------------------------------------------------------------------

  private Route upload(String uploadId, String site, Optional<String> auth) {
    return parameterOptional(
        "name",
        name ->
            optionalHeaderValueByName(
                "Content-Range",
                range ->
                    withoutSizeLimit(
                        () ->
                            extractRequestEntity(
                                entity ->
                                    extractMaterializer(
                                        materializer ->
                                            respond(
                                                receive(
                                                    uploadId, site, name, range, auth, entity, materializer)))))));
  }

  private CompletionStage<HttpResponse> receive(
      String uploadId, String site, Optional<String> name, Optional<String> range, Optional<String> auth,
      HttpEntity entity, Materializer materializer) {
    Uploads.Chunk chunk;
    try {
      chunk = chunk(uploadId, name.orElse("file"), range, entity.getContentLengthOption());
    } catch (ApiError e) {
      entity.discardBytes(materializer);
      return CompletableFuture.failedFuture(e);
    }
    return access
        .authenticate(site, auth)
        .thenComposeAsync(
            who -> {
              access.countUpload(who);
              if (!uploadSlots.tryAcquire()) {
                throw ApiError.overloaded("too many uploads at once on this server; resume shortly", 2);
              }
              return CompletableFuture.supplyAsync(
                  () -> {
                    try (InputStream body =
                        entity.getDataBytes().runWith(StreamConverters.asInputStream(BODY_STALL_TIMEOUT), materializer)) {
                      Upload upload = uploads.receive(who.uploader(), chunk, body);
                      return json(200, describe(upload, who.viewer()));
                    } catch (FileRefused refused) {
                      throw new CompletionException(refused);
                    } catch (IOException e) {
                      throw new UncheckedIOException(e);
                    } finally {
                      uploadSlots.release();
                    }
                  },
                  uploading);
            },
            blocking)
        .whenComplete((ok, failed) -> {
          if (failed != null) {
            entity.discardBytes(materializer);
          }
        });
  }

  static Uploads.Chunk chunk(String uploadId, String name, Optional<String> range, OptionalLong contentLength) {
    if (!UPLOAD_ID.matcher(uploadId).matches()) {
      throw ApiError.invalid("uploadId", "an upload id is 1 to 64 letters, digits, - or _");
    }
    if (name.isEmpty() || name.length() > MAX_NAME_CHARS || !cleanText(name)) {
      throw ApiError.invalid("name", "a file name is 1 to 255 characters of text on one line");
    }
    if (contentLength.isEmpty()) {
      throw ApiError.invalid("Content-Length", "send the chunk's length in Content-Length");
    }
    long length = contentLength.getAsLong();
    if (range.isEmpty()) {
      if (length < 1) {
        throw ApiError.invalid("Content-Length", "an empty file is not sent");
      }
      return new Uploads.Chunk(uploadId, name, 0, length, length);
    }
    Matcher m = CONTENT_RANGE.matcher(range.get().trim());
    if (!m.matches()) {
      throw ApiError.invalid("Content-Range", "Content-Range is bytes FIRST-LAST/TOTAL");
    }
    long first = Long.parseLong(m.group(1));
    long last = Long.parseLong(m.group(2));
    long total = Long.parseLong(m.group(3));
    if (last < first || last >= total || last - first + 1 != length) {
      throw ApiError.invalid("Content-Range", "Content-Range does not match the body or the total");
    }
    return new Uploads.Chunk(uploadId, name, first, length, total);
  }

  /** One line of Unicode text: no control characters, no lone surrogates, no bidirectional overrides. */
  static boolean cleanText(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x20 || (c >= 0x7F && c <= 0x9F) || (c >= 0x202A && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069)) {
        return false;
      }
      if (Character.isHighSurrogate(c)) {
        if (i + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(i + 1))) {
          return false;
        }
        i++;
      } else if (Character.isLowSurrogate(c)) {
        return false;
      }
    }
    return true;
  }

  private CompletionStage<HttpResponse> status(String uploadId, String site, Optional<String> auth) {
    return access
        .authenticate(site, auth)
        .thenApplyAsync(
            who ->
                uploads
                    .find(who.uploader(), uploadId)
                    .map(u -> json(200, describe(u, who.viewer())))
                    .orElseThrow(() -> ApiError.notFound("no such upload of yours")),
            blocking);
  }

  // Links and downloads ------------------------------------------------------------------------------------

  private CompletionStage<HttpResponse> link(String fileId, String site, Optional<String> auth) {
    UUID id = fileId(fileId);
    return access
        .authenticate(site, auth)
        .thenCompose(
            who ->
                CompletableFuture.supplyAsync(() -> records.byFile(id), blocking)
                    .thenCompose(
                        file -> {
                          if (file.isEmpty() || !file.get().complete()) {
                            throw ApiError.notFound("no such file");
                          }
                          return access.maySee(who, file.get()).thenApply(ok -> {
                            if (!ok) {
                              throw ApiError.notFound("no such file");
                            }
                            FileLinks.Link link =
                                links.issue(id, site, who.viewer(), file.get().hasThumbnail());
                            ObjectNode body = Json.MAPPER.createObjectNode();
                            body.put("url", link.url());
                            if (link.thumbnailUrl() != null) {
                              body.put("thumbnailUrl", link.thumbnailUrl());
                            }
                            body.put("expiresAt", link.expiresAt().toString());
                            return json(200, body);
                          });
                        }));
  }

  private Route download(String fileId, boolean thumbnail) {
    return parameterMap(
        params ->
            optionalHeaderValueByName(
                "Range", range -> respond(serve(fileId, thumbnail, params, range))));
  }

  private CompletionStage<HttpResponse> serve(
      String fileId, boolean thumbnail, Map<String, String> params, Optional<String> range) {
    FileLinks.Verified link;
    try {
      link = links.verify(fileId, params.get("site"), params.get("viewer"), params.get("exp"), params.get("sig"));
    } catch (FileLinks.Refused refused) {
      return CompletableFuture.completedFuture(
          ErrorMapping.response(
              403, refused.expired() ? ErrorCode.LINK_EXPIRED : ErrorCode.LINK_INVALID, refused.getMessage(), null));
    }
    return CompletableFuture.supplyAsync(
        () -> {
          Upload file =
              records
                  .byFile(link.fileId())
                  .filter(f -> f.complete() && f.siteId().equals(link.siteId()))
                  .filter(f -> !thumbnail || f.hasThumbnail())
                  .orElseThrow(() -> ApiError.notFound("no such file"));
          try {
            return respondWith(file, thumbnail, range, link.expiresAt());
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        },
        blocking);
  }

  private HttpResponse respondWith(Upload file, boolean thumbnail, Optional<String> rangeHeader, Instant expires)
      throws IOException {
    String key = thumbnail ? Uploads.thumbKey(file.fileId()) : Uploads.fileKey(file.fileId());
    ByteRange range = ByteRange.ALL;
    if (rangeHeader.isPresent()) {
      Matcher m = RANGE.matcher(rangeHeader.get().trim());
      if (m.matches()) {
        range = new ByteRange(Long.parseLong(m.group(1)), m.group(2).isEmpty() ? -1 : Long.parseLong(m.group(2)));
      }
    }
    BlobStore.BlobContent content =
        store.get(file.siteId(), key, range).orElseThrow(() -> ApiError.notFound("the file's bytes are gone"));
    if (!range.isAll() && content.length() == 0) {
      content.close();
      return ErrorMapping.response(416, ErrorCode.INVALID_REQUEST, "the range is past the end", "Range")
          .addHeader(RawHeader.create("Content-Range", "bytes */" + content.totalBytes()));
    }
    String type = thumbnail ? "image/png" : file.mediaType();
    boolean inline = thumbnail || FileInspector.isInlineImage(type);
    ContentType contentType = inline ? ContentTypes.parse(type) : ContentTypes.APPLICATION_OCTET_STREAM;
    HttpResponse response =
        HttpResponse.create()
            .withStatus(range.isAll() ? 200 : 206)
            .withEntity(
                HttpEntities.create(
                    contentType, content.length(), StreamConverters.fromInputStream(content::stream)))
            .addHeader(RawHeader.create("Content-Disposition", disposition(inline, file.name())))
            .addHeader(RawHeader.create("Content-Security-Policy", FILE_POLICY))
            .addHeader(RawHeader.create("Cross-Origin-Resource-Policy", "cross-origin"))
            .addHeader(RawHeader.create("Accept-Ranges", "bytes"))
            .addHeader(
                RawHeader.create(
                    "Cache-Control",
                    "private, max-age=" + Math.max(0, Duration.between(Instant.now(), expires).toSeconds())));
    if (!range.isAll()) {
      response =
          response.addHeader(
              RawHeader.create(
                  "Content-Range",
                  "bytes " + content.first() + "-" + (content.first() + content.length() - 1) + "/"
                      + content.totalBytes()));
    }
    return response;
  }

  /** Inline only for checked raster images; the name in RFC 6266's UTF-8 form, and as ASCII for old clients. */
  static String disposition(boolean inline, String name) {
    String ascii = name.replaceAll("[^A-Za-z0-9._ -]", "_");
    String encoded = URLEncoder.encode(name, StandardCharsets.UTF_8).replace("+", "%20");
    return (inline ? "inline" : "attachment") + "; filename=\"" + ascii + "\"; filename*=UTF-8''" + encoded;
  }

  // Answers ------------------------------------------------------------------------------------------------

  /** An upload as the client sees it; once complete, with a fresh link for the caller. */
  ObjectNode describe(Upload upload, String viewer) {
    ObjectNode node = Json.MAPPER.createObjectNode();
    node.put("uploadId", upload.uploadId());
    node.put("fileId", upload.fileId().toString());
    node.put("name", upload.name());
    node.put("size", upload.totalBytes());
    node.put("received", upload.receivedBytes());
    node.put("complete", upload.complete());
    if (upload.complete()) {
      node.put("type", upload.mediaType());
      node.put("sha256", upload.sha256());
      if (upload.width() != null) {
        node.put("width", upload.width());
        node.put("height", upload.height());
      }
      FileLinks.Link link = links.issue(upload.fileId(), upload.siteId(), viewer, upload.hasThumbnail());
      node.put("url", link.url());
      if (link.thumbnailUrl() != null) {
        node.put("thumbnailUrl", link.thumbnailUrl());
      }
      node.put("urlExpiresAt", link.expiresAt().toString());
    }
    return node;
  }

  private static UUID fileId(String fileId) {
    try {
      return UUID.fromString(fileId);
    } catch (IllegalArgumentException e) {
      throw ApiError.notFound("no such file");
    }
  }

  private static HttpResponse json(int status, ObjectNode body) {
    return HttpResponse.create()
        .withStatus(status)
        .withEntity(HttpEntities.create(ContentTypes.APPLICATION_JSON, body.toString()));
  }

  /** Refusals with their status; a stream that broke (the client went away, the store failed) is retryable. */
  static HttpResponse error(Throwable t) {
    Throwable cause = t;
    while ((cause instanceof CompletionException || cause instanceof UncheckedIOException) && cause.getCause() != null) {
      cause = cause.getCause();
    }
    if (cause instanceof FileRefused refused) {
      int status =
          switch (refused.code()) {
            case FILE_TOO_LARGE -> 413;
            case QUOTA_EXCEEDED -> 403;
            default -> 415;
          };
      return ErrorMapping.response(status, refused.code(), refused.getMessage(), null);
    }
    if (cause instanceof IOException) {
      return ErrorMapping.response(503, ErrorCode.UNAVAILABLE, "the upload broke off; send it again", null)
          .addHeader(RawHeader.create("Retry-After", "1"));
    }
    return ErrorMapping.fromThrowable(cause);
  }
}
