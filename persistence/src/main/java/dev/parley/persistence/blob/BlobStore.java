package dev.parley.persistence.blob;

import java.io.IOException;
import java.io.InputStream;
import java.util.Optional;

/**
 * Where attachment bytes live: a local directory by default ({@link LocalBlobStore}), or an S3-compatible bucket
 * (AWS S3, MinIO, Aliyun OSS in its S3 mode: {@link S3BlobStore}), chosen by configuration ({@link BlobStores}).
 *
 * <p>Blobs are named by site and key, so one site's blobs can be counted ({@link #usage}) and never mixed with
 * another's. Every method streams: no implementation holds a whole blob in memory. A {@link #put} is
 * all-or-nothing (a reader never sees a half-written blob, a failed put leaves nothing behind) and durable when it
 * returns; putting the same key again replaces the blob, so a retried put stores once. Keys are opaque to the
 * store; callers choose them (the upload id, a thumbnail's id).
 */
public interface BlobStore extends AutoCloseable {

  /**
   * Streams {@code content} into the blob {@code siteId}/{@code key}, reading at most {@code maxBytes}: a longer
   * stream is refused with {@link BlobTooLargeException} and stores nothing. Returns the size and the SHA-256 of
   * what was stored, once it is durable.
   */
  StoredBlob put(String siteId, String key, InputStream content, long maxBytes) throws IOException;

  /**
   * The blob's bytes from {@code range} (or all of it for {@link ByteRange#ALL}), or empty when there is no such
   * blob. The caller closes the stream. A range past the end is cut at the end.
   */
  Optional<BlobContent> get(String siteId, String key, ByteRange range) throws IOException;

  /** Deletes the blob; true if it existed. Deleting a missing blob is not an error. */
  boolean delete(String siteId, String key) throws IOException;

  /** Bytes stored for the site (every key); for reconciliation and the console, not per request. */
  long usage(String siteId) throws IOException;

  @Override
  void close() throws IOException;

  /** What a put stored: its size in bytes and SHA-256 in lower-case hex. */
  record StoredBlob(long sizeBytes, String sha256) {}

  /**
   * A part of a blob: from {@code first} to {@code last} inclusive (HTTP's {@code bytes=first-last}); {@code last}
   * -1 means to the end.
   */
  record ByteRange(long first, long last) {
    public static final ByteRange ALL = new ByteRange(0, -1);

    public ByteRange {
      if (first < 0 || (last != -1 && last < first)) {
        throw new IllegalArgumentException("bad range " + first + "-" + last);
      }
    }

    public boolean isAll() {
      return first == 0 && last == -1;
    }
  }

  /**
   * An open blob: its bytes from the requested range, the range's first byte and length, and the blob's whole
   * size. Close it.
   */
  record BlobContent(InputStream stream, long first, long length, long totalBytes) implements AutoCloseable {
    @Override
    public void close() throws IOException {
      stream.close();
    }
  }

  /** The stream was longer than the caller's limit; nothing was stored. */
  final class BlobTooLargeException extends IOException {
    private final long maxBytes;

    public BlobTooLargeException(long maxBytes) {
      super("more than " + maxBytes + " bytes");
      this.maxBytes = maxBytes;
    }

    public long maxBytes() {
      return maxBytes;
    }
  }
}
