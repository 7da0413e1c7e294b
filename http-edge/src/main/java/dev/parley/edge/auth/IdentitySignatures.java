package dev.parley.edge.auth;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Signed visitor identities: the shop's backend computes {@code hex(HMAC-SHA256(secret, userId))} with the site's
 * identity secret and passes it to the widget with the user id; only the server and the shop know the secret.
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
