package dev.parley.persistence.directory;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * Sites, accounts and memberships: the relational configuration that admins edit.
 *
 * <p>Plain JDBC, blocking: call it from a dispatcher meant for blocking work, never from an actor or a stream
 * stage. Each method is one transaction.
 */
public final class Directory {

  /** SQLSTATE of a unique-constraint violation. */
  private static final String UNIQUE_VIOLATION = "23505";

  private final DataSource dataSource;

  public Directory(DataSource dataSource) {
    this.dataSource = dataSource;
  }

  // Sites ----------------------------------------------------------------------------------------------------

  public void createSite(Site site) {
    update(
        "site",
        "a site with id '" + site.id() + "' already exists",
        "INSERT INTO site (id, name, allowed_origins, created_at) VALUES (?, ?, ?, ?)",
        site.id(),
        site.name(),
        String.join("\n", site.allowedOrigins()),
        Timestamp.from(site.createdAt()));
  }

  public Optional<Site> site(String id) {
    return query(
            "SELECT id, name, allowed_origins, created_at FROM site WHERE id = ?",
            Directory::site,
            id)
        .stream()
        .findFirst();
  }

  public List<Site> sites() {
    return query("SELECT id, name, allowed_origins, created_at FROM site ORDER BY id", Directory::site);
  }

  /** Updates name and allowed origins; false when the site does not exist. */
  public boolean updateSite(Site site) {
    return update(
            "site",
            "",
            "UPDATE site SET name = ?, allowed_origins = ? WHERE id = ?",
            site.name(),
            String.join("\n", site.allowedOrigins()),
            site.id())
        == 1;
  }

  // Accounts -------------------------------------------------------------------------------------------------

  /** Creates the account together with its first membership, atomically. */
  public void createAccount(Account account, String siteId, Membership.Role role) {
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      try {
        execute(
            c,
            "INSERT INTO account (id, username, display_name, password_hash, created_at) VALUES (?, ?, ?, ?, ?)",
            account.id(),
            account.username(),
            account.displayName(),
            account.passwordHash(),
            Timestamp.from(account.createdAt()));
        execute(
            c,
            "INSERT INTO membership (account_id, site_id, role) VALUES (?, ?, ?)",
            account.id(),
            siteId,
            role.code());
        c.commit();
      } catch (SQLException e) {
        c.rollback();
        if (UNIQUE_VIOLATION.equals(e.getSQLState())) {
          throw new Conflict("username", "the username '" + account.username() + "' is taken");
        }
        throw e;
      }
    } catch (SQLException e) {
      throw new IllegalStateException("could not create account " + account.id(), e);
    }
  }

  public Optional<Account> accountByUsername(String username) {
    return query(
            "SELECT id, username, display_name, password_hash, created_at FROM account WHERE username = ?",
            Directory::account,
            username)
        .stream()
        .findFirst();
  }

  public Optional<Account> account(String id) {
    return query(
            "SELECT id, username, display_name, password_hash, created_at FROM account WHERE id = ?",
            Directory::account,
            id)
        .stream()
        .findFirst();
  }

  public boolean updatePasswordHash(String accountId, String passwordHash) {
    return update("account", "", "UPDATE account SET password_hash = ? WHERE id = ?", passwordHash, accountId)
        == 1;
  }

  // Memberships ----------------------------------------------------------------------------------------------

  public List<Membership> memberships(String accountId) {
    return query(
        "SELECT account_id, site_id, role FROM membership WHERE account_id = ? ORDER BY site_id",
        Directory::membership,
        accountId);
  }

  /** Adds or changes the account's role at the site. */
  public void grant(String accountId, String siteId, Membership.Role role) {
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      try {
        execute(c, "DELETE FROM membership WHERE account_id = ? AND site_id = ?", accountId, siteId);
        execute(
            c,
            "INSERT INTO membership (account_id, site_id, role) VALUES (?, ?, ?)",
            accountId,
            siteId,
            role.code());
        c.commit();
      } catch (SQLException e) {
        c.rollback();
        throw e;
      }
    } catch (SQLException e) {
      throw new IllegalStateException("could not grant " + role + " at " + siteId, e);
    }
  }

  /** Accounts working for a site, with their role there. */
  public List<Member> members(String siteId) {
    return query(
        "SELECT a.id, a.username, a.display_name, a.password_hash, a.created_at, m.role"
            + " FROM account a JOIN membership m ON m.account_id = a.id WHERE m.site_id = ? ORDER BY a.username",
        rs -> new Member(account(rs), Membership.Role.fromCode(rs.getString(6))),
        siteId);
  }

  public record Member(Account account, Membership.Role role) {}

  // Plumbing -------------------------------------------------------------------------------------------------

  @FunctionalInterface
  private interface RowMapper<T> {
    T map(ResultSet rs) throws SQLException;
  }

  private <T> List<T> query(String sql, RowMapper<T> mapper, Object... args) {
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps = prepare(c, sql, args);
        ResultSet rs = ps.executeQuery()) {
      List<T> rows = new ArrayList<>();
      while (rs.next()) {
        rows.add(mapper.map(rs));
      }
      return rows;
    } catch (SQLException e) {
      throw new IllegalStateException("query failed: " + sql, e);
    }
  }

  private int update(String field, String conflictMessage, String sql, Object... args) {
    try (Connection c = dataSource.getConnection()) {
      return execute(c, sql, args);
    } catch (SQLException e) {
      if (UNIQUE_VIOLATION.equals(e.getSQLState())) {
        throw new Conflict(field, conflictMessage);
      }
      throw new IllegalStateException("update failed: " + sql, e);
    }
  }

  private static int execute(Connection c, String sql, Object... args) throws SQLException {
    try (PreparedStatement ps = prepare(c, sql, args)) {
      return ps.executeUpdate();
    }
  }

  private static PreparedStatement prepare(Connection c, String sql, Object... args)
      throws SQLException {
    PreparedStatement ps = c.prepareStatement(sql);
    for (int i = 0; i < args.length; i++) {
      ps.setObject(i + 1, args[i]);
    }
    return ps;
  }

  private static Site site(ResultSet rs) throws SQLException {
    String origins = rs.getString(3);
    List<String> list =
        origins.isBlank() ? List.of() : Arrays.stream(origins.split("\n")).filter(s -> !s.isBlank()).toList();
    return new Site(rs.getString(1), rs.getString(2), list, instant(rs.getTimestamp(4)));
  }

  private static Account account(ResultSet rs) throws SQLException {
    return new Account(
        rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), instant(rs.getTimestamp(5)));
  }

  private static Membership membership(ResultSet rs) throws SQLException {
    return new Membership(rs.getString(1), rs.getString(2), Membership.Role.fromCode(rs.getString(3)));
  }

  private static Instant instant(Timestamp ts) {
    return ts == null ? null : ts.toInstant();
  }
}
