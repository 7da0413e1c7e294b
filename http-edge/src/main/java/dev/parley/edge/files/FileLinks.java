package dev.parley.edge.files;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.UUID;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Signed, expiring download links: {@code /files/FILE_ID?site=…&viewer=…&exp=…&sig=…} (and {@code /thumbnail}
 * after the id). The signature, HMAC-SHA256 with a server secret shared by the nodes through the database (like
 * the token key), covers the file, its site, the viewer it was issued to and the expiry, so a link cannot be moved
 * to another file or site, or stretched in time. Links are handed out only to participants of the file's
 * conversation (or its uploader); whoever holds one may download until it expires.
 */
public final class FileLinks {

  /** A link's parts once its signature checked out. */
  public record Verified(UUID fileId, String siteId, String viewer, Instant expiresAt) {}

  /** A link handed to a client: the path and query of the file and of its thumbnail, and when both expire. */
  public record Link(String url, String thumbnailUrl, Instant expiresAt) {}

  /** Why a link was refused: {@code link-expired} or {@code link-invalid}. */
  public static final class Refused extends Exception {
    private final boolean expired;

    Refused(boolean expired, String message) {
      super(message, null, false, false);
      this.expired = expired;
    }

    public boolean expired() {
      return expired;
    }
  }

  private final SecretKeySpec key;
  private final Clock clock;
  private final Duration ttl;

  public FileLinks(byte[] secret, Clock clock, Duration ttl) {
    this.key = new SecretKeySpec(secret, "HmacSHA256");
    this.clock = clock;
    this.ttl = ttl;
  }

  /** A viewer as links name it: {@code visitor:ID} or {@code agent:ID}. */
  public static String viewer(String role, String id) {
    return role + ":" + id;
  }

  public Link issue(UUID fileId, String siteId, String viewer, boolean thumbnail) {
    Instant expires = clock.instant().plus(ttl);
    long exp = expires.getEpochSecond();
    String query =
        "?site=" + enc(siteId) + "&viewer=" + enc(viewer) + "&exp=" + exp + "&sig=" + sign(fileId, siteId, viewer, exp);
    return new Link(
        "/files/" + fileId + query, thumbnail ? "/files/" + fileId + "/thumbnail" + query : null,
        Instant.ofEpochSecond(exp));
  }

  public Verified verify(String fileId, String siteId, String viewer, String exp, String sig) throws Refused {
    UUID id;
    long expires;
    try {
      id = UUID.fromString(fileId);
      expires = Long.parseLong(exp);
    } catch (IllegalArgumentException | NullPointerException e) {
      throw new Refused(false, "not a download link");
    }
    if (siteId == null || viewer == null || sig == null
        || !MessageDigest.isEqual(
            sign(id, siteId, viewer, expires).getBytes(StandardCharsets.US_ASCII),
            sig.getBytes(StandardCharsets.US_ASCII))) {
      throw new Refused(false, "the link's signature does not match");
    }
    Instant at = Instant.ofEpochSecond(expires);
    if (!clock.instant().isBefore(at)) {
      throw new Refused(true, "the link expired; ask for a new one");
    }
    return new Verified(id, siteId, viewer, at);
  }

  private String sign(UUID fileId, String siteId, String viewer, long exp) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(key);
      byte[] signed =
          mac.doFinal((fileId + "\n" + siteId + "\n" + viewer + "\n" + exp).getBytes(StandardCharsets.UTF_8));
      return Base64.getUrlEncoder().withoutPadding().encodeToString(signed);
    } catch (NoSuchAlgorithmException | InvalidKeyException e) {
      throw new IllegalStateException("every Java has HmacSHA256", e);
    }
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }
}
