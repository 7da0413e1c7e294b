package dev.parley.persistence.directory;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * Two-factor sign-in data of accounts: the TOTP secret (stored as the caller gives it: encrypted by the edge), the
 * last accepted time step, and single-use recovery codes (hashes only). Blocking JDBC, one transaction per method.
 */
public final class TwoFactorStore {

  private final DataSource dataSource;

  public TwoFactorStore(DataSource dataSource) {
    this.dataSource = dataSource;
  }

  /** The account's TOTP state: its (encrypted) secret, whether enabled, the last step accepted. */
  public record Totp(String encryptedSecret, boolean enabled, long lastStep) {
    @Override
    public String toString() {
      return "Totp[enabled=" + enabled + "]";
    }
  }

  public Optional<Totp> totp(String accountId) {
    return Directory.inTransaction(
        dataSource,
        c -> {
          try (PreparedStatement ps =
                  Directory.prepare(
                      c,
                      "SELECT totp_secret, totp_enabled_at IS NOT NULL, COALESCE(totp_last_step, -1) FROM account"
                          + " WHERE id = ? AND totp_secret IS NOT NULL",
                      accountId);
              ResultSet rs = ps.executeQuery()) {
            return rs.next()
                ? Optional.of(new Totp(rs.getString(1), rs.getBoolean(2), rs.getLong(3)))
                : Optional.<Totp>empty();
          }
        });
  }

  /** Stores a new, not yet confirmed secret; false if two-factor sign-in is already on (nothing changes then). */
  public boolean startEnrolment(String accountId, String encryptedSecret) {
    return Directory.inTransaction(
            dataSource,
            c ->
                Directory.execute(
                    c,
                    "UPDATE account SET totp_secret = ?, totp_last_step = NULL WHERE id = ? AND totp_enabled_at IS NULL",
                    encryptedSecret,
                    accountId))
        == 1;
  }

  /**
   * Turns two-factor sign-in on with the confirming code's {@code step} and fresh recovery codes (hashes); false if
   * it was on already or no enrolment was started.
   */
  public boolean enable(String accountId, long step, List<String> recoveryCodeHashes, Instant at) {
    return Directory.inTransaction(
        dataSource,
        c -> {
          int changed =
              Directory.execute(
                  c,
                  "UPDATE account SET totp_enabled_at = ?, totp_last_step = ? WHERE id = ?"
                      + " AND totp_secret IS NOT NULL AND totp_enabled_at IS NULL",
                  Timestamp.from(at),
                  step,
                  accountId);
          if (changed != 1) {
            return false;
          }
          Directory.execute(c, "DELETE FROM recovery_code WHERE account_id = ?", accountId);
          for (String hash : recoveryCodeHashes) {
            Directory.execute(
                c, "INSERT INTO recovery_code (account_id, code_hash) VALUES (?, ?)", accountId, hash);
          }
          return true;
        });
  }

  /**
   * Records that a code of time step {@code step} was used: true only if no code of this or a later step was
   * accepted before, so that one code never signs in twice.
   */
  public boolean acceptStep(String accountId, long step) {
    return Directory.inTransaction(
            dataSource,
            c ->
                Directory.execute(
                    c,
                    "UPDATE account SET totp_last_step = ? WHERE id = ? AND (totp_last_step IS NULL OR totp_last_step < ?)",
                    step,
                    accountId,
                    step))
        == 1;
  }

  /** Uses up the recovery code with this hash: true if it existed (and now no longer does). */
  public boolean useRecoveryCode(String accountId, String codeHash) {
    return Directory.inTransaction(
            dataSource,
            c ->
                Directory.execute(
                    c, "DELETE FROM recovery_code WHERE account_id = ? AND code_hash = ?", accountId, codeHash))
        == 1;
  }

  public int recoveryCodesLeft(String accountId) {
    return Directory.inTransaction(
        dataSource,
        c -> {
          try (PreparedStatement ps =
                  Directory.prepare(c, "SELECT COUNT(*) FROM recovery_code WHERE account_id = ?", accountId);
              ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getInt(1);
          }
        });
  }

  /** Turns two-factor sign-in off and forgets the secret and the recovery codes; ends the account's tokens. */
  public void disable(String accountId) {
    Directory.inTransaction(
        dataSource,
        c -> {
          Directory.execute(
              c,
              "UPDATE account SET totp_secret = NULL, totp_enabled_at = NULL, totp_last_step = NULL,"
                  + " token_version = token_version + 1 WHERE id = ?",
              accountId);
          Directory.execute(c, "DELETE FROM recovery_code WHERE account_id = ?", accountId);
          return null;
        });
  }
}
