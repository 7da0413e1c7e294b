package dev.parley.persistence.visitors;

import dev.parley.core.visitor.InvitationRule;
import dev.parley.core.visitor.InvitationRuleSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import javax.sql.DataSource;

/**
 * Sites' automatic invitation rules (table {@code site_invitation_rule}, V70): the admin API replaces a site's list
 * as a whole in one transaction, and each node's Visitors-now registry reads it through {@link InvitationRuleSource}
 * on the blocking executor. Validation is {@link InvitationRule#checked()}'s, done by the caller.
 */
public final class InvitationRuleStore implements InvitationRuleSource {

  private final DataSource dataSource;
  private final Executor blocking;

  public InvitationRuleStore(DataSource dataSource, Executor blocking) {
    this.dataSource = dataSource;
    this.blocking = blocking;
  }

  @Override
  public CompletionStage<List<InvitationRule>> load(String siteId) {
    return CompletableFuture.supplyAsync(() -> list(siteId), blocking);
  }

  /** The site's rules by position. Blocking. */
  public List<InvitationRule> list(String siteId) {
    String sql =
        "SELECT rule_id, position, enabled, min_seconds_on_page, url_pattern, min_visits, referrer_pattern,"
            + " sender_name, message, cap_hours FROM site_invitation_rule WHERE site_id = ? ORDER BY position, rule_id";
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setString(1, siteId);
      List<InvitationRule> rules = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          rules.add(
              new InvitationRule(rs.getString(1), rs.getInt(2), rs.getBoolean(3), rs.getInt(4), rs.getString(5),
                  rs.getInt(6), rs.getString(7), rs.getString(8), rs.getString(9), rs.getInt(10)));
        }
      }
      return rules;
    } catch (SQLException e) {
      throw new IllegalStateException("reading the invitation rules of site " + siteId + " failed", e);
    }
  }

  /** Replaces the site's rules with {@code rules} (checked ones, unique ids), in one transaction. Blocking. */
  public void replace(String siteId, List<InvitationRule> rules) {
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      try {
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM site_invitation_rule WHERE site_id = ?")) {
          ps.setString(1, siteId);
          ps.executeUpdate();
        }
        try (PreparedStatement ps =
            c.prepareStatement(
                "INSERT INTO site_invitation_rule (site_id, rule_id, position, enabled, min_seconds_on_page,"
                    + " url_pattern, min_visits, referrer_pattern, sender_name, message, cap_hours)"
                    + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
          for (InvitationRule r : rules) {
            ps.setString(1, siteId);
            ps.setString(2, r.id());
            ps.setInt(3, r.position());
            ps.setBoolean(4, r.enabled());
            ps.setInt(5, r.minSecondsOnPage());
            setNullable(ps, 6, r.urlPattern());
            ps.setInt(7, r.minVisits());
            setNullable(ps, 8, r.referrerPattern());
            ps.setString(9, r.senderName());
            ps.setString(10, r.text());
            ps.setInt(11, r.capHours());
            ps.addBatch();
          }
          ps.executeBatch();
        }
        c.commit();
      } catch (SQLException e) {
        c.rollback();
        throw e;
      }
    } catch (SQLException e) {
      throw new IllegalStateException("saving the invitation rules of site " + siteId + " failed", e);
    }
  }

  private static void setNullable(PreparedStatement ps, int index, String value) throws SQLException {
    if (value == null) {
      ps.setNull(index, Types.VARCHAR);
    } else {
      ps.setString(index, value);
    }
  }
}
