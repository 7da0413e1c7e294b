package dev.parley.persistence.blob;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Reads through to a stream while counting and hashing (SHA-256) what passes, and fails with
 * {@link BlobStore.BlobTooLargeException} as soon as more than the limit has been read: the store's one guard
 * against an endless upload, whatever the client declared.
 */
final class HashingLimitedStream extends FilterInputStream {

  private final MessageDigest digest;
  private final long maxBytes;
  private long count;

  HashingLimitedStream(InputStream in, long maxBytes) {
    super(in);
    this.maxBytes = maxBytes;
    try {
      this.digest = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java has SHA-256", e);
    }
  }

  @Override
  public int read() throws IOException {
    int b = in.read();
    if (b >= 0) {
      digest.update((byte) b);
      count(1);
    }
    return b;
  }

  @Override
  public int read(byte[] buffer, int offset, int length) throws IOException {
    int n = in.read(buffer, offset, length);
    if (n > 0) {
      digest.update(buffer, offset, n);
      count(n);
    }
    return n;
  }

  @Override
  public long skip(long n) throws IOException {
    throw new IOException("skipping would not be hashed");
  }

  @Override
  public boolean markSupported() {
    return false;
  }

  private void count(int n) throws IOException {
    count += n;
    if (count > maxBytes) {
      throw new BlobStore.BlobTooLargeException(maxBytes);
    }
  }

  long count() {
    return count;
  }

  /** The hash of everything read; call once, at the end. */
  String sha256() {
    return HexFormat.of().formatHex(digest.digest());
  }
}
