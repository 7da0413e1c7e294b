package dev.parley.persistence.directory;

import dev.parley.core.access.SiteRole;
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
import java.util.OptionalLong;
import java.util.TreeSet;
import javax.sql.DataSource;

/**
 * Sites, accounts and memberships: the relational configuration that admins edit.
 *
 * <p>Plain JDBC, blocking: call it from a dispatcher meant for blocking work, never from an actor or a stream
 * stage. Each method is one transaction.
 *
 * <p>Every change that takes access away from an account (password, role, disabled, deleted) increments the
 * account's token version in the same transaction and returns the new one, so that the edge can end the account's
 * tokens and live connections ({@code Agent.EndSessions}). A site keeps at least one enabled owner: changes that
 * would remove the last one throw {@link LastOwner}; they lock the site's row first, so two concurrent demotions
 * cannot both pass the check.
 */
public final class Directory {

  /** SQLSTATE of a unique-constraint violation. */
  private static final String UNIQUE_VIOLATION = "23505";

  private static final String ACCOUNT_COLUMNS =
      "a.id, a.username, a.display_name, a.password_hash, a.created_at, a.token_version, a.disabled_at, a.operator,"
          + " a.totp_enabled_at IS NOT NULL";

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

  public boolean twoFactorRequired(String siteId) {
    return query("SELECT two_factor_required FROM site WHERE id = ?", rs -> rs.getBoolean(1), siteId).stream()
        .findFirst()
        .orElse(false);
  }

  /**
   * Makes two-factor sign-in mandatory at the site, or optional again. Turning it on ends the tokens of every member
   * without two-factor sign-in (their next login gives them a token that only allows enrolling): returned, with
   * their new token versions.
   */
  public List<Revoked> setTwoFactorRequired(String siteId, boolean required) {
    return inTransaction(
        c -> {
          execute(c, "UPDATE site SET two_factor_required = ? WHERE id = ?", required, siteId);
          if (!required) {
            return List.of();
          }
          List<Revoked> revoked = new ArrayList<>();
          try (PreparedStatement ps =
              prepare(
                  c,
                  "UPDATE account SET token_version = token_version + 1 WHERE totp_enabled_at IS NULL AND id IN"
                      + " (SELECT account_id FROM membership WHERE site_id = ?) RETURNING id, token_version",
                  siteId);
              ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
              revoked.add(new Revoked(rs.getString(1), rs.getLong(2)));
            }
          }
          return revoked;
        });
  }

  /** An account whose tokens below {@code tokenVersion} were just revoked. */
  public record Revoked(String accountId, long tokenVersion) {}

  // Accounts -------------------------------------------------------------------------------------------------

  /** Creates the account together with its first membership, atomically. */
  public void createAccount(Account account, String siteId, SiteRole role) {
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      try {
        execute(
            c,
            "INSERT INTO account (id, username, display_name, password_hash, created_at, token_version, operator)"
                + " VALUES (?, ?, ?, ?, ?, ?, ?)",
            account.id(),
            account.username(),
            account.displayName(),
            account.passwordHash(),
            Timestamp.from(account.createdAt()),
            account.tokenVersion(),
            account.operator());
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

  /** The account with this canonical user name. */
  public Optional<Account> accountByUsername(String username) {
    return query(
            "SELECT " + ACCOUNT_COLUMNS + " FROM account a WHERE a.username = ?", Directory::account, username)
        .stream()
        .findFirst();
  }

  public Optional<Account> account(String id) {
    return query("SELECT " + ACCOUNT_COLUMNS + " FROM account a WHERE a.id = ?", Directory::account, id)
        .stream()
        .findFirst();
  }

  /** Sets a new password hash and ends the account's tokens: the new token version, or empty if no such account. */
  public OptionalLong updatePasswordHash(String accountId, String passwordHash) {
    return inTransaction(
        c ->
            bump(
                c,
                "UPDATE account SET password_hash = ?, token_version = token_version + 1 WHERE id = ?"
                    + " RETURNING token_version",
                passwordHash,
                accountId));
  }

  /** Ends the account's tokens without changing anything else: the new token version. */
  public OptionalLong revokeTokens(String accountId) {
    return inTransaction(c -> bump(c, accountId));
  }

  /**
   * Disables or re-enables the account (everywhere: it is one login) and ends its tokens. Disabling the last
   * enabled owner of any of its sites throws {@link LastOwner}. Empty if no such account.
   */
  public OptionalLong setDisabled(String accountId, boolean disabled, Instant at) {
    return inTransaction(
        c -> {
          if (disabled) {
            List<String> ownedSites =
                strings(c, "SELECT site_id FROM membership WHERE account_id = ? AND role = 'owner'", accountId);
            requireAnotherOwner(c, ownedSites, accountId);
          }
          return bump(
              c,
              "UPDATE account SET disabled_at = ?, token_version = token_version + 1 WHERE id = ?"
                  + " RETURNING token_version",
              disabled ? Timestamp.from(at) : null,
              accountId);
        });
  }

  /**
   * Changes the account's role at the site and ends its tokens (their roles are baked into live sessions). Demoting
   * the site's last enabled owner throws {@link LastOwner}. Empty if the account is not a member of the site.
   */
  public OptionalLong changeRole(String accountId, String siteId, SiteRole role) {
    return inTransaction(
        c -> {
          if (role != SiteRole.OWNER) {
            requireAnotherOwner(c, List.of(siteId), accountId);
          }
          int changed =
              execute(
                  c,
                  "UPDATE membership SET role = ? WHERE account_id = ? AND site_id = ?",
                  role.code(),
                  accountId,
                  siteId);
          return changed == 1 ? bump(c, accountId) : OptionalLong.empty();
        });
  }

  /**
   * Removes the account from the site and ends its tokens; an account left without any site is deleted. Removing
   * the site's last enabled owner throws {@link LastOwner}. Empty if the account is not a member of the site.
   */
  public OptionalLong removeFromSite(String accountId, String siteId) {
    return inTransaction(
        c -> {
          requireAnotherOwner(c, List.of(siteId), accountId);
          if (execute(c, "DELETE FROM membership WHERE account_id = ? AND site_id = ?", accountId, siteId) != 1) {
            return OptionalLong.empty();
          }
          OptionalLong version = bump(c, accountId);
          execute(
              c,
              "DELETE FROM account WHERE id = ? AND NOT EXISTS (SELECT 1 FROM membership WHERE account_id = ?)",
              accountId,
              accountId);
          return version;
        });
  }

  /**
   * Throws {@link LastOwner} unless each of {@code siteIds} keeps an enabled owner other than {@code accountId}.
   * Locks the sites' rows (in id order, so concurrent changes cannot deadlock) until the transaction ends.
   */
  private static void requireAnotherOwner(Connection c, List<String> siteIds, String accountId) throws SQLException {
    for (String siteId : new TreeSet<>(siteIds)) {
      strings(c, "SELECT id FROM site WHERE id = ? FOR UPDATE", siteId);
      List<String> owners =
          strings(
              c,
              "SELECT m.account_id FROM membership m JOIN account a ON a.id = m.account_id"
                  + " WHERE m.site_id = ? AND m.role = 'owner' AND a.disabled_at IS NULL",
              siteId);
      boolean targetIsOwner = owners.contains(accountId);
      if (targetIsOwner && owners.size() == 1) {
        throw new LastOwner(siteId);
      }
    }
  }

  private static OptionalLong bump(Connection c, String accountId) throws SQLException {
    return bump(
        c, "UPDATE account SET token_version = token_version + 1 WHERE id = ? RETURNING token_version", accountId);
  }

  private static OptionalLong bump(Connection c, String sql, Object... args) throws SQLException {
    try (PreparedStatement ps = prepare(c, sql, args);
        ResultSet rs = ps.executeQuery()) {
      return rs.next() ? OptionalLong.of(rs.getLong(1)) : OptionalLong.empty();
    }
  }

  // Memberships ----------------------------------------------------------------------------------------------

  public List<Membership> memberships(String accountId) {
    return query(
        "SELECT account_id, site_id, role FROM membership WHERE account_id = ? ORDER BY site_id",
        Directory::membership,
        accountId);
  }

  /** True if any site the account works for demands two-factor sign-in. */
  public boolean twoFactorRequiredFor(String accountId) {
    return !query(
            "SELECT 1 FROM membership m JOIN site s ON s.id = m.site_id"
                + " WHERE m.account_id = ? AND s.two_factor_required",
            rs -> 1,
            accountId)
        .isEmpty();
  }

  /** Adds or changes the account's role at the site. */
  public void grant(String accountId, String siteId, SiteRole role) {
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
        "SELECT " + ACCOUNT_COLUMNS + ", m.role"
            + " FROM account a JOIN membership m ON m.account_id = a.id WHERE m.site_id = ? ORDER BY a.username",
        rs -> new Member(account(rs), SiteRole.fromCode(rs.getString(10))),
        siteId);
  }

  /** One account of the site with its role there; empty when it does not work for the site. */
  public Optional<Member> member(String siteId, String accountId) {
    return query(
            "SELECT " + ACCOUNT_COLUMNS + ", m.role"
                + " FROM account a JOIN membership m ON m.account_id = a.id WHERE m.site_id = ? AND a.id = ?",
            rs -> new Member(account(rs), SiteRole.fromCode(rs.getString(10))),
            siteId,
            accountId)
        .stream()
        .findFirst();
  }

  public record Member(Account account, SiteRole role) {}

  // Plumbing -------------------------------------------------------------------------------------------------

  @FunctionalInterface
  interface RowMapper<T> {
    T map(ResultSet rs) throws SQLException;
  }

  @FunctionalInterface
  interface Work<T> {
    T run(Connection c) throws SQLException;
  }

  /** Runs {@code work} in one transaction; a {@link RuntimeException} it throws rolls back and propagates. */
  <T> T inTransaction(Work<T> work) {
    return inTransaction(dataSource, work);
  }

  static <T> T inTransaction(DataSource dataSource, Work<T> work) {
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      try {
        T result = work.run(c);
        c.commit();
        return result;
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      }
    } catch (SQLException e) {
      throw new IllegalStateException("transaction failed", e);
    }
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

  static List<String> strings(Connection c, String sql, Object... args) throws SQLException {
    try (PreparedStatement ps = prepare(c, sql, args);
        ResultSet rs = ps.executeQuery()) {
      List<String> rows = new ArrayList<>();
      while (rs.next()) {
        rows.add(rs.getString(1));
      }
      return rows;
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

  static int execute(Connection c, String sql, Object... args) throws SQLException {
    try (PreparedStatement ps = prepare(c, sql, args)) {
      return ps.executeUpdate();
    }
  }

  static PreparedStatement prepare(Connection c, String sql, Object... args) throws SQLException {
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
        rs.getString(1),
        rs.getString(2),
        rs.getString(3),
        rs.getString(4),
        instant(rs.getTimestamp(5)),
        rs.getLong(6),
        instant(rs.getTimestamp(7)),
        rs.getBoolean(8),
        rs.getBoolean(9));
  }

  private static Membership membership(ResultSet rs) throws SQLException {
    return new Membership(rs.getString(1), rs.getString(2), SiteRole.fromCode(rs.getString(3)));
  }

  private static Instant instant(Timestamp ts) {
    return ts == null ? null : ts.toInstant();
  }
}
