package dev.parley.edge.auth;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Signed visitor identities, computed by the shop's backend with the site's identity secret (only the server and
 * the shop know it) and passed to the widget with the identity. Two schemes (docs/WIDGET.md):
 *
 * <ul>
 *   <li>{@code hash} = {@code hex(HMAC-SHA256(secret, userId))}: vouches for the user id alone;
 *   <li>{@code signature} = {@code hex(HMAC-SHA256(secret, canonical))} over {@link #canonical}: vouches for the
 *       id, name, e-mail, attributes and an optional expiry, so none of them can be changed in the browser.
 * </ul>
 */
public final class IdentitySignatures {

  private static final SecureRandom RANDOM = new SecureRandom();

  private IdentitySignatures() {}

  /** A fresh secret: 32 random bytes as 64 hex characters. */
  public static String newSecret() {
    byte[] bytes = new byte[32];
    RANDOM.nextBytes(bytes);
    return HexFormat.of().formatHex(bytes);
  }

  public static String sign(String secret, String userId) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      return HexFormat.of().formatHex(mac.doFinal(userId.getBytes(StandardCharsets.UTF_8)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 unavailable", e);
    }
  }

  /**
   * The text the second scheme signs: lines joined by {@code \n}, no trailing newline — {@code parley-identity-2},
   * {@code id=…}, {@code name=…}, {@code email=…}, {@code expires=…} (Unix seconds, or empty), then one
   * {@code attr.KEY=VALUE} line per attribute, sorted by key. Absent values are empty. No value can hold a line
   * break: the protocol refuses them in these fields.
   */
  public static String canonical(
      String userId, String name, String email, Long expiresAt, java.util.Map<String, String> attributes) {
    StringBuilder sb = new StringBuilder("parley-identity-2");
    sb.append("\nid=").append(userId);
    sb.append("\nname=").append(name == null ? "" : name);
    sb.append("\nemail=").append(email == null ? "" : email);
    sb.append("\nexpires=").append(expiresAt == null ? "" : Long.toString(expiresAt));
    new java.util.TreeMap<>(attributes == null ? java.util.Map.<String, String>of() : attributes)
        .forEach((k, v) -> sb.append("\nattr.").append(k).append('=').append(v));
    return sb.toString();
  }

  /** True if {@code signature} (hex, any case) signs {@code canonical} text; compared in constant time. */
  public static boolean verifyAll(String secret, String canonical, String signature) {
    return verify(secret, canonical, signature);
  }

  /** True if {@code hash} (hex, any case) is the signature of {@code userId}; compared in constant time. */
  public static boolean verify(String secret, String userId, String hash) {
    if (secret == null || hash == null) {
      return false;
    }
    byte[] expected = sign(secret, userId).getBytes(StandardCharsets.US_ASCII);
    byte[] given = hash.strip().toLowerCase(java.util.Locale.ROOT).getBytes(StandardCharsets.US_ASCII);
    return MessageDigest.isEqual(expected, given);
  }
}
