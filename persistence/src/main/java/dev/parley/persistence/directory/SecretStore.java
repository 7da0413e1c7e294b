package dev.parley.persistence.directory;

import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Base64;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * Server-wide secrets such as the token signing key: generated once, on the first start, and shared through the
 * database by every node of a cluster. Values are never logged.
 */
public final class SecretStore {

  private static final String UNIQUE_VIOLATION = "23505";
  /** Bytes of randomness in a generated secret (256 bits, what HS256 wants). */
  public static final int SECRET_BYTES = 32;

  private final DataSource dataSource;
  private final SecureRandom random = new SecureRandom();

  public SecretStore(DataSource dataSource) {
    this.dataSource = dataSource;
  }

  /**
   * The secret called {@code name}, created from fresh randomness if there is none. When two nodes start at
   * once, both end up with the value that won the insert.
   */
  public byte[] getOrCreate(String name) {
    Optional<byte[]> existing = read(name);
    if (existing.isPresent()) {
      return existing.get();
    }
    byte[] fresh = new byte[SECRET_BYTES];
    random.nextBytes(fresh);
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps =
            c.prepareStatement("INSERT INTO server_secret (name, secret, created_at) VALUES (?, ?, ?)")) {
      ps.setString(1, name);
      ps.setString(2, Base64.getEncoder().encodeToString(fresh));
      ps.setTimestamp(3, Timestamp.from(Instant.now()));
      ps.executeUpdate();
      return fresh;
    } catch (SQLException e) {
      if (UNIQUE_VIOLATION.equals(e.getSQLState())) {
        return read(name).orElseThrow(() -> new IllegalStateException("secret vanished: " + name));
      }
      throw new IllegalStateException("could not store secret " + name, e);
    }
  }

  private Optional<byte[]> read(String name) {
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps = c.prepareStatement("SELECT secret FROM server_secret WHERE name = ?")) {
      ps.setString(1, name);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? Optional.of(Base64.getDecoder().decode(rs.getString(1))) : Optional.empty();
      }
    } catch (SQLException e) {
      throw new IllegalStateException("could not read secret " + name, e);
    }
  }
}
