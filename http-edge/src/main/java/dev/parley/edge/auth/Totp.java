package dev.parley.edge.auth;

import com.eatthepath.otp.TimeBasedOneTimePasswordGenerator;
import io.nayuki.qrcodegen.QrCode;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.OptionalLong;
import javax.crypto.spec.SecretKeySpec;

/**
 * Two-factor sign-in with time-based one-time passwords (RFC 6238: HMAC-SHA1, 6 digits, 30 s steps, what every
 * authenticator app reads from an {@code otpauth://} link) through java-otp, and single-use recovery codes.
 *
 * <p>A code is accepted for the current step and one step either side (clocks drift, people type slowly), and the
 * caller records the accepted step so that no code signs in twice. Recovery codes carry 50 random bits each, so a
 * fast hash (SHA-256 over the account id and the code) is enough to store them: unlike passwords they cannot be
 * guessed from a dictionary.
 */
public final class Totp {

  public static final Duration STEP = Duration.ofSeconds(30);
  public static final int DIGITS = 6;
  /** Steps either side of now whose codes are accepted. */
  public static final int WINDOW_STEPS = 1;
  public static final int SECRET_BYTES = 20;
  public static final int RECOVERY_CODES = 10;
  private static final String RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"; // 31: no 0/o, 1/l/i
  private static final int RECOVERY_HALF = 5;
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final TimeBasedOneTimePasswordGenerator GENERATOR =
      new TimeBasedOneTimePasswordGenerator(STEP, DIGITS);

  private Totp() {}

  public static byte[] newSecret() {
    byte[] secret = new byte[SECRET_BYTES];
    RANDOM.nextBytes(secret);
    return secret;
  }

  /** The link an authenticator app reads (as a QR code or pasted): {@code otpauth://totp/Issuer:name?...}. */
  public static String uri(String issuer, String accountName, byte[] secret) {
    String label = encode(issuer) + ":" + encode(accountName);
    return "otpauth://totp/" + label + "?secret=" + Base32.encode(secret) + "&issuer=" + encode(issuer)
        + "&algorithm=SHA1&digits=" + DIGITS + "&period=" + STEP.toSeconds();
  }

  /** The time step of {@code at}. */
  public static long step(Instant at) {
    return at.getEpochSecond() / STEP.toSeconds();
  }

  /** The code for {@code at}: what an authenticator app shows then. */
  public static String code(byte[] secret, Instant at) {
    try {
      return GENERATOR.generateOneTimePasswordString(new SecretKeySpec(secret, "HmacSHA1"), at, Locale.ROOT);
    } catch (InvalidKeyException e) {
      throw new IllegalStateException("unusable TOTP secret", e);
    }
  }

  /** The step whose code {@code code} is, within the window around {@code now}; empty if none. */
  public static OptionalLong match(byte[] secret, String code, Instant now) {
    if (code == null || !code.matches("[0-9]{" + DIGITS + "}")) {
      return OptionalLong.empty();
    }
    byte[] given = code.getBytes(StandardCharsets.US_ASCII);
    long current = step(now);
    for (long step = current - WINDOW_STEPS; step <= current + WINDOW_STEPS; step++) {
      byte[] expected = code(secret, Instant.ofEpochSecond(step * STEP.toSeconds())).getBytes(StandardCharsets.US_ASCII);
      if (MessageDigest.isEqual(expected, given)) {
        return OptionalLong.of(step);
      }
    }
    return OptionalLong.empty();
  }

  /** Fresh recovery codes, {@code xxxxx-xxxxx}. */
  public static List<String> newRecoveryCodes() {
    List<String> codes = new ArrayList<>();
    for (int i = 0; i < RECOVERY_CODES; i++) {
      StringBuilder code = new StringBuilder();
      for (int j = 0; j < 2 * RECOVERY_HALF; j++) {
        if (j == RECOVERY_HALF) {
          code.append('-');
        }
        code.append(RECOVERY_ALPHABET.charAt(RANDOM.nextInt(RECOVERY_ALPHABET.length())));
      }
      codes.add(code.toString());
    }
    return codes;
  }

  /** True if {@code code} has the shape of a recovery code (spaces, hyphens and case do not matter). */
  public static boolean looksLikeRecoveryCode(String code) {
    return code != null && normaliseRecoveryCode(code).length() == 2 * RECOVERY_HALF;
  }

  /** What is stored of a recovery code: hex SHA-256 of the account id and the code without hyphens. */
  public static String recoveryCodeHash(String accountId, String code) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      sha.update(accountId.getBytes(StandardCharsets.UTF_8));
      sha.update((byte) 0);
      return HexFormat.of().formatHex(sha.digest(normaliseRecoveryCode(code).getBytes(StandardCharsets.UTF_8)));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 unavailable", e);
    }
  }

  private static String normaliseRecoveryCode(String code) {
    return code.toLowerCase(Locale.ROOT).replaceAll("[\\s-]", "");
  }

  /** The link as a QR code in SVG, for the console to show: black squares on white, with a quiet zone. */
  public static String qrSvg(String text) {
    QrCode qr = QrCode.encodeText(text, QrCode.Ecc.MEDIUM);
    int border = 4;
    int size = qr.size + 2 * border;
    StringBuilder path = new StringBuilder();
    for (int y = 0; y < qr.size; y++) {
      for (int x = 0; x < qr.size; x++) {
        if (qr.getModule(x, y)) {
          path.append('M').append(x + border).append(',').append(y + border).append("h1v1h-1z");
        }
      }
    }
    return "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 " + size + " " + size
        + "\" shape-rendering=\"crispEdges\"><rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/><path d=\""
        + path + "\" fill=\"#000000\"/></svg>";
  }

  private static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }

  /** RFC 4648 base32 without padding, as otpauth links carry secrets. */
  public static final class Base32 {
    private static final String ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

    private Base32() {}

    public static String encode(byte[] data) {
      StringBuilder out = new StringBuilder();
      int buffer = 0;
      int bits = 0;
      for (byte b : data) {
        buffer = (buffer << 8) | (b & 0xff);
        bits += 8;
        while (bits >= 5) {
          out.append(ALPHABET.charAt((buffer >> (bits - 5)) & 31));
          bits -= 5;
        }
      }
      if (bits > 0) {
        out.append(ALPHABET.charAt((buffer << (5 - bits)) & 31));
      }
      return out.toString();
    }

    public static byte[] decode(String text) {
      String s = text.replace("=", "").replace(" ", "").toUpperCase(Locale.ROOT);
      byte[] out = new byte[s.length() * 5 / 8];
      int buffer = 0;
      int bits = 0;
      int index = 0;
      for (char c : s.toCharArray()) {
        int value = ALPHABET.indexOf(c);
        if (value < 0) {
          throw new IllegalArgumentException("not base32");
        }
        buffer = (buffer << 5) | value;
        bits += 5;
        if (bits >= 8) {
          out[index++] = (byte) (buffer >> (bits - 8));
          bits -= 8;
        }
      }
      return out;
    }
  }
}
