package dev.parley.edge.files;

import dev.parley.edge.ApiError;
import dev.parley.edge.protocol.ErrorCode;
import dev.parley.persistence.blob.BlobStore;
import dev.parley.persistence.blob.BlobStore.ByteRange;
import dev.parley.persistence.blob.BlobStore.StoredBlob;
import dev.parley.persistence.files.FileRecords;
import dev.parley.persistence.files.FileRecords.Part;
import dev.parley.persistence.files.FileRecords.Upload;
import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.util.Enumeration;
import java.util.Iterator;
import java.util.List;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Resumable, idempotent uploads into the blob store (docs/PROTOCOL.md §13). The client names each upload
 * ({@code uploadId}, unique per uploader) and sends it in one or more chunks, each starting where the upload
 * stands; a chunk sent again is recognised by its range and stored once. Each chunk is streamed into the store as
 * its own blob; when the last arrives, the chunks are streamed into the file's blob while its type is decided by
 * content ({@link FileInspector}), then deleted. A refused file is remembered, so every retry gets the same
 * error. Blocking: call from the blocking pool.
 *
 * <p>Blob keys of a site: {@code parts/FILE_ID/FIRST_BYTE}, {@code files/FILE_ID}, {@code thumbs/FILE_ID}.
 */
public final class Uploads {

  private static final Logger log = LoggerFactory.getLogger(Uploads.class);
  /** Thumbnails are small PNGs; a larger one is a bug, not a file to keep. */
  private static final long MAX_THUMBNAIL_BYTES = 2 * 1024 * 1024;

  /** Who uploads: the site, {@code visitor} or {@code agent}, and the visitor's or account's id. */
  public record Uploader(String siteId, String role, String id) {}

  /** One chunk: bytes {@code first} to {@code first + length - 1} of a file of {@code total} bytes. */
  public record Chunk(String uploadId, String name, long first, long length, long total) {}

  /** What a site accepts: its own limits where it has set them, else the server's. */
  public record Policy(long maxFileBytes, long quotaBytes, List<String> allowedTypes) {}

  private final BlobStore store;
  private final FileRecords records;
  private final FileInspector inspector;
  private final FileSettings settings;
  private final Clock clock;

  public Uploads(BlobStore store, FileRecords records, FileInspector inspector, FileSettings settings, Clock clock) {
    this.store = store;
    this.records = records;
    this.inspector = inspector;
    this.settings = settings;
    this.clock = clock;
  }

  public Policy policy(String siteId) {
    var own = records.policy(siteId);
    return new Policy(
        own.map(FileRecords.SitePolicy::maxFileBytes).orElse(null) != null
            ? own.get().maxFileBytes() : settings.maxFileBytes(),
        own.map(FileRecords.SitePolicy::quotaBytes).orElse(null) != null
            ? own.get().quotaBytes() : settings.siteQuotaBytes(),
        own.map(FileRecords.SitePolicy::allowedTypes).orElse(null) != null
            ? own.get().allowedTypes() : settings.allowedTypes());
  }

  /**
   * Takes one chunk, streamed from {@code body}, and answers the upload as it stands afterwards: complete once
   * the last chunk arrived and the file was accepted.
   */
  public Upload receive(Uploader who, Chunk chunk, InputStream body) throws FileRefused, IOException {
    Policy policy = policy(who.siteId());
    if (chunk.total() > policy.maxFileBytes()) {
      throw new FileRefused(
          ErrorCode.FILE_TOO_LARGE, "files of this site may have " + policy.maxFileBytes() + " bytes at most", null);
    }
    FileRecords.Started started =
        records.start(
            who.siteId(), who.role(), who.id(), chunk.uploadId(), chunk.name(), chunk.total(), policy.quotaBytes(),
            clock.instant());
    if (started instanceof FileRecords.OverQuota over) {
      throw new FileRefused(
          ErrorCode.QUOTA_EXCEEDED,
          "the site's files would pass its quota of " + over.quotaBytes() + " bytes", null);
    }
    Upload upload = ((FileRecords.Found) started).upload();
    if (upload.totalBytes() != chunk.total()) {
      throw ApiError.conflict("uploadId", "this upload id names a file of " + upload.totalBytes() + " bytes");
    }
    if (upload.refused()) {
      throw new FileRefused(ErrorCode.fromCode(upload.refusal()).orElse(ErrorCode.FILE_TYPE_REFUSED),
          "this upload was refused", upload.mediaType());
    }
    if (upload.complete()) {
      return upload;
    }
    if (chunk.first() + chunk.length() <= upload.receivedBytes()) {
      // A chunk sent again (its answer was lost): stored already. The last one may still need assembling.
      return upload.receivedBytes() == upload.totalBytes() ? assemble(upload, policy) : upload;
    }
    if (chunk.first() != upload.receivedBytes()) {
      throw new ApiError(
          409, ErrorCode.UPLOAD_OFFSET_MISMATCH,
          "the upload stands at byte " + upload.receivedBytes() + "; send from there", "Content-Range");
    }
    String partKey = partKey(upload.fileId(), chunk.first());
    StoredBlob part;
    try {
      part = store.put(who.siteId(), partKey, body, chunk.length());
    } catch (BlobStore.BlobTooLargeException e) {
      throw ApiError.invalid("Content-Range", "the body is longer than its Content-Range says");
    }
    if (part.sizeBytes() != chunk.length()) {
      store.delete(who.siteId(), partKey);
      throw ApiError.invalid("Content-Range", "the body is shorter than its Content-Range says");
    }
    if (!records.addPart(upload.fileId(), chunk.first(), chunk.length())) {
      log.debug("chunk at {} of file {} was recorded by a concurrent request", chunk.first(), upload.fileId());
    }
    Upload now = records.byFile(upload.fileId()).orElseThrow();
    if (now.receivedBytes() == now.totalBytes() && !now.complete() && !now.refused()) {
      return assemble(now, policy);
    }
    return now;
  }

  /** The uploader's upload, as it stands. */
  public java.util.Optional<Upload> find(Uploader who, String uploadId) {
    return records.byUpload(who.siteId(), who.role(), who.id(), uploadId);
  }

  private Upload assemble(Upload upload, Policy policy) throws FileRefused, IOException {
    String site = upload.siteId();
    UUID fileId = upload.fileId();
    List<Part> parts = records.parts(fileId);
    long expected = 0;
    for (Part p : parts) {
      if (p.first() != expected) {
        throw new IllegalStateException("the chunks of " + fileId + " have a gap at " + expected);
      }
      expected += p.length();
    }
    String type;
    try (BufferedInputStream head = new BufferedInputStream(chunks(site, fileId, parts), FileInspector.SNIFF_BYTES)) {
      type = inspector.detect(head.readNBytes(FileInspector.SNIFF_BYTES));
    }
    try {
      inspector.checkAllowed(type, policy.allowedTypes());
      FileInspector.ImageFacts image = null;
      StoredBlob stored;
      String fileKey = fileKey(fileId);
      boolean inline = FileInspector.isInlineImage(type);
      try (InputStream all = chunks(site, fileId, parts)) {
        InputStream in = inline ? FileInspector.scanning(all) : all;
        stored = store.put(site, fileKey, in, upload.totalBytes());
        if (inline) {
          inspector.checkScan(in, type);
        }
      }
      if (inline) {
        try (BlobStore.BlobContent file = store.get(site, fileKey, ByteRange.ALL).orElseThrow()) {
          image = inspector.checkImage(file.stream(), type);
        }
        store.put(site, thumbKey(fileId), new ByteArrayInputStream(image.thumbnailPng()), MAX_THUMBNAIL_BYTES);
      }
      records.complete(
          fileId, type, stored.sha256(), image == null ? null : image.width(), image == null ? null : image.height(),
          image != null, clock.instant());
    } catch (FileRefused refused) {
      store.delete(site, fileKey(fileId));
      records.refuse(fileId, refused.code().code(), type);
      deleteParts(site, fileId, parts);
      log.info("file {} of site {} refused: {}", fileId, site, refused.code().code());
      throw refused;
    }
    deleteParts(site, fileId, parts);
    return records.byFile(fileId).orElseThrow();
  }

  private void deleteParts(String site, UUID fileId, List<Part> parts) throws IOException {
    for (Part p : parts) {
      store.delete(site, partKey(fileId, p.first()));
    }
  }

  /** The chunks one after the other, each opened when the previous one ends. */
  private InputStream chunks(String site, UUID fileId, List<Part> parts) {
    Iterator<Part> next = parts.iterator();
    return new SequenceInputStream(
        new Enumeration<InputStream>() {
          @Override
          public boolean hasMoreElements() {
            return next.hasNext();
          }

          @Override
          public InputStream nextElement() {
            Part p = next.next();
            try {
              return store.get(site, partKey(fileId, p.first()), ByteRange.ALL)
                  .orElseThrow(() -> new IOException("chunk " + p.first() + " of " + fileId + " is missing"))
                  .stream();
            } catch (IOException e) {
              throw new UncheckedIOException(e);
            }
          }
        });
  }

  public static String fileKey(UUID fileId) {
    return FileRecords.fileKey(fileId);
  }

  public static String thumbKey(UUID fileId) {
    return FileRecords.thumbKey(fileId);
  }

  static String partKey(UUID fileId, long first) {
    return FileRecords.partKey(fileId, first);
  }
}
