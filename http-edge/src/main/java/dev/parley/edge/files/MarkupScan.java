package dev.parley.edge.files;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * Reads through to a file's bytes while looking for what makes an image a polyglot: markup a browser would run
 * ({@code <script}, {@code <html}, {@code <svg}, … in any case) anywhere in it, and remembering its last bytes so
 * that data after the image's own end can be found ({@link FileInspector#checkImageEnd}). Used on images only,
 * which are the one kind of file served inline.
 */
final class MarkupScan extends FilterInputStream {

  static final int TAIL_BYTES = 16;
  private static final byte[][] MARKERS = markers(
      "<script", "<html", "<svg", "<iframe", "<!doctype", "<body", "<?php", "<object", "<embed", "<?xml-stylesheet");

  /** Per marker: how many of its bytes the last bytes read match. */
  private final int[] matched = new int[MARKERS.length];
  private final byte[] tail = new byte[TAIL_BYTES];
  private long count;
  private String found;

  MarkupScan(InputStream in) {
    super(in);
  }

  @Override
  public int read() throws IOException {
    int b = in.read();
    if (b >= 0) {
      see((byte) b);
    }
    return b;
  }

  @Override
  public int read(byte[] buffer, int offset, int length) throws IOException {
    int n = in.read(buffer, offset, length);
    for (int i = 0; i < n; i++) {
      see(buffer[offset + i]);
    }
    return n;
  }

  private void see(byte raw) {
    tail[(int) (count % TAIL_BYTES)] = raw;
    count++;
    byte b = raw >= 'A' && raw <= 'Z' ? (byte) (raw + 32) : raw;
    for (int m = 0; m < MARKERS.length; m++) {
      byte[] marker = MARKERS[m];
      // Every marker starts with '<' and holds no other '<': a mismatch restarts at 0, or at 1 on a '<'.
      matched[m] = b == marker[matched[m]] ? matched[m] + 1 : (b == '<' ? 1 : 0);
      if (matched[m] == marker.length) {
        found = found == null ? new String(marker, StandardCharsets.US_ASCII) : found;
        matched[m] = 0;
      }
    }
  }

  /** The first marker seen, or null. */
  String markup() {
    return found;
  }

  /** The last bytes read (fewer when the file was shorter), oldest first. */
  byte[] tail() {
    int n = (int) Math.min(count, TAIL_BYTES);
    byte[] last = new byte[n];
    for (int i = 0; i < n; i++) {
      last[i] = tail[(int) ((count - n + i) % TAIL_BYTES)];
    }
    return last;
  }

  private static byte[][] markers(String... markers) {
    byte[][] bytes = new byte[markers.length][];
    for (int i = 0; i < markers.length; i++) {
      bytes[i] = markers[i].getBytes(StandardCharsets.US_ASCII);
    }
    return bytes;
  }
}
