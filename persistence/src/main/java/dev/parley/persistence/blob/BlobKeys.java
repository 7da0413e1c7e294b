package dev.parley.persistence.blob;

import java.util.regex.Pattern;

/**
 * The names a blob store accepts: a site id and a key of letters, digits, {@code . _ -} and single {@code /}
 * between segments, none of which is {@code .} or {@code ..}. Checked by every store, so no caller can name a path
 * outside the store's root or another site's blobs.
 */
final class BlobKeys {

  static final int MAX_KEY_CHARS = 512;
  private static final Pattern SITE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
  private static final Pattern SEGMENT = Pattern.compile("[A-Za-z0-9._-]{1,200}");

  private BlobKeys() {}

  static void check(String siteId, String key) {
    if (siteId == null || !SITE.matcher(siteId).matches() || siteId.equals("..")) {
      throw new IllegalArgumentException("bad site id for a blob");
    }
    if (key != null && key.length() <= MAX_KEY_CHARS) {
      boolean ok = true;
      for (String segment : key.split("/", -1)) {
        ok &= SEGMENT.matcher(segment).matches() && !segment.equals(".") && !segment.equals("..");
      }
      if (ok) {
        return;
      }
    }
    throw new IllegalArgumentException("bad blob key");
  }

  static void checkSite(String siteId) {
    check(siteId, "x");
  }
}
