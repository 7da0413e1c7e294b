package dev.parley.agent.testing;

import com.eatthepath.otp.TimeBasedOneTimePasswordGenerator;
import java.io.ByteArrayOutputStream;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Set;
import javax.crypto.spec.SecretKeySpec;

/** What an authenticator app computes from an enrolment's base32 secret (RFC 6238, by java-otp, not the server). */
public final class AuthenticatorApp {

  private AuthenticatorApp() {}

  /** The 6-digit code the app shows at {@code at}. */
  public static String code(String base32Secret, Instant at) {
    try {
      return new TimeBasedOneTimePasswordGenerator(Duration.ofSeconds(30), 6)
          .generateOneTimePasswordString(new SecretKeySpec(base32(base32Secret), "HmacSHA1"), at, Locale.ROOT);
    } catch (GeneralSecurityException e) {
      throw new AssertionError(e);
    }
  }

  /** Six digits that are none of the codes the server accepts now (one step of tolerance either side), nor soon. */
  public static String wrongCode(String base32Secret) {
    Instant now = Instant.now();
    Set<String> right = Set.of(
        code(base32Secret, now.minusSeconds(30)), code(base32Secret, now), code(base32Secret, now.plusSeconds(30)),
        code(base32Secret, now.plusSeconds(60)));
    for (int n = 0; ; n++) {
      String candidate = String.format(Locale.ROOT, "%06d", n);
      if (!right.contains(candidate)) {
        return candidate;
      }
    }
  }

  /** RFC 4648 base32, written here independently of the server's. */
  private static byte[] base32(String text) {
    String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    long buffer = 0;
    int bits = 0;
    for (char c : text.toCharArray()) {
      buffer = (buffer << 5) | alphabet.indexOf(c);
      bits += 5;
      if (bits >= 8) {
        out.write((int) (buffer >> (bits - 8)) & 0xff);
        bits -= 8;
      }
    }
    return out.toByteArray();
  }
}
