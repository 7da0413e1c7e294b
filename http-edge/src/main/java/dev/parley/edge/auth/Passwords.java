package dev.parley.edge.auth;

import com.password4j.Argon2Function;
import com.password4j.Password;
import com.password4j.types.Argon2;
import java.security.SecureRandom;

/**
 * Password hashing with Argon2id (OWASP's baseline: 19 MiB, 2 iterations, 1 lane) through password4j.
 *
 * <p>Hashing costs tens of milliseconds on purpose: call it on the blocking dispatcher only.
 */
public final class Passwords {

  /** Shortest password an admin may set. Generated passwords are longer. */
  public static final int MIN_LENGTH = 10;
  /** Longest password accepted; Argon2 does not care, but request bodies must stay bounded. */
  public static final int MAX_LENGTH = 200;

  private static final Argon2Function ARGON2ID = Argon2Function.getInstance(19_456, 2, 1, 32, Argon2.ID);
  private static final int SALT_BYTES = 16;
  private static final int GENERATED_LENGTH = 20;
  // No 0/O, 1/l/I: a generated password is read off a terminal and typed by a person.
  private static final String ALPHABET = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
  private static final SecureRandom RANDOM = new SecureRandom();
  /** Checked against when the username is unknown, so that a wrong username costs as much as a wrong password. */
  private static final String DUMMY_HASH = hash("parley-dummy-password-for-timing");

  private Passwords() {}

  public static String hash(String password) {
    return Password.hash(password).addRandomSalt(SALT_BYTES).with(ARGON2ID).getResult();
  }

  public static boolean matches(String password, String hash) {
    if (password == null || hash == null) {
      return false;
    }
    return Password.check(password, hash).with(Argon2Function.getInstanceFromHash(hash));
  }

  /** Burns the same time as a real check; see {@link #DUMMY_HASH}. */
  public static void burnCheck(String password) {
    matches(password == null ? "" : password, DUMMY_HASH);
  }

  public static String generate() {
    StringBuilder sb = new StringBuilder(GENERATED_LENGTH);
    for (int i = 0; i < GENERATED_LENGTH; i++) {
      sb.append(ALPHABET.charAt(RANDOM.nextInt(ALPHABET.length())));
    }
    return sb.toString();
  }
}
