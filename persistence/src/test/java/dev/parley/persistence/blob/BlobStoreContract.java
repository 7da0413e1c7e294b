package dev.parley.persistence.blob;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parley.persistence.blob.BlobStore.BlobContent;
import dev.parley.persistence.blob.BlobStore.BlobTooLargeException;
import dev.parley.persistence.blob.BlobStore.ByteRange;
import dev.parley.persistence.blob.BlobStore.StoredBlob;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** What every blob store promises; each store's test runs these against a real store. */
abstract class BlobStoreContract {

  static final int MIB = 1024 * 1024;

  abstract BlobStore store();

  static String site() {
    return "s" + UUID.randomUUID().toString().substring(0, 8);
  }

  @Test
  void putStreamsAndGetReturnsTheSameBytesAndHash() throws Exception {
    String site = site();
    long size = 11L * MIB + 123; // more than two of S3's parts: the multipart path
    StoredBlob stored = store().put(site, "up/one", new Generated(size, 1), size);
    assertEquals(size, stored.sizeBytes());
    assertEquals(Generated.sha256(size, 1), stored.sha256());
    try (BlobContent content = store().get(site, "up/one", ByteRange.ALL).orElseThrow()) {
      assertEquals(size, content.totalBytes());
      assertEquals(Generated.sha256(content.stream()), stored.sha256());
    }
  }

  @Test
  void aRangeReadsOnlyThatPartAndStopsAtTheEnd() throws Exception {
    String site = site();
    store().put(site, "r", new Generated(1000, 2), 1000);
    byte[] whole = new Generated(1000, 2).readAllBytes();
    try (BlobContent part = store().get(site, "r", new ByteRange(100, 199)).orElseThrow()) {
      assertEquals(100, part.first());
      assertEquals(100, part.length());
      assertArrayEquals(java.util.Arrays.copyOfRange(whole, 100, 200), part.stream().readAllBytes());
    }
    try (BlobContent tail = store().get(site, "r", new ByteRange(990, 5000)).orElseThrow()) {
      assertEquals(10, tail.length());
      assertArrayEquals(java.util.Arrays.copyOfRange(whole, 990, 1000), tail.stream().readAllBytes());
    }
  }

  @Test
  void aStreamLongerThanTheLimitStoresNothing() throws Exception {
    String site = site();
    assertThrows(BlobTooLargeException.class, () -> store().put(site, "small", new Generated(4097, 3), 4096));
    long big = 12L * MIB;
    assertThrows(BlobTooLargeException.class, () -> store().put(site, "big", new Generated(big, 3), 6L * MIB));
    assertTrue(store().get(site, "small", ByteRange.ALL).isEmpty());
    assertTrue(store().get(site, "big", ByteRange.ALL).isEmpty());
    assertEquals(0, store().usage(site));
  }

  @Test
  void aPutCutShortLeavesTheOldBlobOrNothing() throws Exception {
    String site = site();
    assertThrows(IOException.class, () -> store().put(site, "cut", new Generated(7L * MIB, 4).failingAt(6L * MIB), 8L * MIB));
    assertTrue(store().get(site, "cut", ByteRange.ALL).isEmpty());
    store().put(site, "cut", new Generated(500, 5), 8L * MIB);
    assertThrows(IOException.class, () -> store().put(site, "cut", new Generated(900, 6).failingAt(800), 8L * MIB));
    try (BlobContent content = store().get(site, "cut", ByteRange.ALL).orElseThrow()) {
      assertEquals(Generated.sha256(500, 5), Generated.sha256(content.stream()));
    }
  }

  @Test
  void aRepeatedPutStoresOnceAndUsageCountsPerSite() throws Exception {
    String site = site();
    String other = site();
    store().put(site, "a", new Generated(300, 7), 1000);
    store().put(site, "a", new Generated(300, 7), 1000);
    store().put(site, "thumbs/a", new Generated(50, 8), 1000);
    store().put(other, "a", new Generated(999, 9), 1000);
    assertEquals(350, store().usage(site));
    assertEquals(999, store().usage(other));
  }

  @Test
  void deleteRemovesTheBlobAndSaysWhetherItWasThere() throws Exception {
    String site = site();
    store().put(site, "d", new Generated(10, 10), 100);
    assertTrue(store().delete(site, "d"));
    assertFalse(store().delete(site, "d"));
    assertTrue(store().get(site, "d", ByteRange.ALL).isEmpty());
  }

  @Test
  void namesOutsideTheSiteAreRefused() {
    for (String key : new String[] {"../x", "a/../../b", "/abs", "a//b", "", "a/.", "white space"}) {
      assertThrows(IllegalArgumentException.class, () -> store().put("site", key, InputStream.nullInputStream(), 1), key);
    }
    assertThrows(IllegalArgumentException.class, () -> store().usage(".."));
    assertThrows(IllegalArgumentException.class, () -> store().get("../other", "a", ByteRange.ALL));
  }

  /** Deterministic pseudo-random bytes, generated as read: large blobs without holding them in the test. */
  static final class Generated extends InputStream {
    private final Random random;
    private final long size;
    private long position;
    private long failAt = -1;

    Generated(long size, long seed) {
      this.size = size;
      this.random = new Random(seed);
    }

    Generated failingAt(long at) {
      this.failAt = at;
      return this;
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (failAt >= 0 && position >= failAt) {
        throw new IOException("the client went away");
      }
      if (position >= size) {
        return -1;
      }
      int n = (int) Math.min(len, size - position);
      if (failAt >= 0) {
        n = (int) Math.min(n, failAt - position);
      }
      for (int i = 0; i < n; i++) {
        b[off + i] = (byte) random.nextInt(256);
      }
      position += n;
      return n;
    }

    static String sha256(long size, long seed) throws IOException {
      return sha256(new Generated(size, seed));
    }

    static String sha256(InputStream in) throws IOException {
      try {
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        byte[] buffer = new byte[64 * 1024];
        for (int n; (n = in.read(buffer)) >= 0; ) {
          digest.update(buffer, 0, n);
        }
        return HexFormat.of().formatHex(digest.digest());
      } catch (java.security.NoSuchAlgorithmException e) {
        throw new IllegalStateException(e);
      }
    }
  }
}
