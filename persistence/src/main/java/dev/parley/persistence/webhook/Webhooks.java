package dev.parley.persistence.webhook;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * A site's webhooks and their deliveries: what admins configure and read, and what the sender claims and settles.
 * Every statement of the admin side names the site. Claiming is safe across nodes: a delivery is leased with {@code
 * FOR UPDATE SKIP LOCKED}, and only the oldest pending delivery of each hook and conversation is ever due, so a
 * conversation's events reach a hook in order.
 */
public final class Webhooks {

  /** A hook as admins see it (never its secret after creation). */
  public record Hook(String id, String siteId, String url, List<String> events, String createdBy, Instant createdAt) {}

  /** A delivery, for the log. {@code state}: pending, delivered or failed (given up). */
  public record Delivery(
      long id, String hookId, String conversationId, String eventType, String state, int attempts,
      Integer lastStatus, String lastError, Instant createdAt, Instant lastAttemptAt, Instant nextAttemptAt,
      Instant deliveredAt) {}

  /** A delivery claimed for sending: where, with which key, what. {@code attempts} counts this one. */
  public record Claimed(
      long id, String hookId, String url, String secret, String eventType, String payload, int attempts,
      Instant createdAt) {}

  private final DataSource dataSource;

  public Webhooks(DataSource dataSource) {
    this.dataSource = dataSource;
  }

  // Admins -----------------------------------------------------------------------------------------------------

  public Hook create(String siteId, String url, List<String> events, String secret, String createdBy, Instant now) {
    String id = UUID.randomUUID().toString();
    try (Connection c = dataSource.getConnection();
        PreparedStatement s = c.prepareStatement(
            "INSERT INTO webhooks (id, site_id, url, secret, events, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)")) {
      s.setString(1, id);
      s.setString(2, siteId);
      s.setString(3, url);
      s.setString(4, secret);
      s.setArray(5, c.createArrayOf("text", events.toArray()));
      s.setString(6, createdBy);
      s.setObject(7, now.atOffset(ZoneOffset.UTC));
      s.executeUpdate();
    } catch (SQLException e) {
      throw new IllegalStateException("could not create the webhook", e);
    }
    return new Hook(id, siteId, url, List.copyOf(events), createdBy, now);
  }

  public List<Hook> list(String siteId) {
    return hooks("SELECT id, site_id, url, events, created_by, created_at FROM webhooks"
        + " WHERE site_id = ? AND deleted_at IS NULL ORDER BY created_at, id", siteId);
  }

  public Optional<Hook> hook(String siteId, String hookId) {
    return hooks("SELECT id, site_id, url, events, created_by, created_at FROM webhooks"
        + " WHERE site_id = ? AND id = ? AND deleted_at IS NULL", siteId, hookId).stream().findFirst();
  }

  /** Stops a hook (its pending deliveries are no longer sent; the log stays). False when there is none. */
  public boolean delete(String siteId, String hookId, Instant now) {
    return update("UPDATE webhooks SET deleted_at = ? WHERE site_id = ? AND id = ? AND deleted_at IS NULL",
        now.atOffset(ZoneOffset.UTC), siteId, hookId) == 1;
  }

  /** Queues a {@code webhook.test} delivery to the hook (the API's test button); its id, or empty. */
  public Optional<Long> enqueueTest(String siteId, String hookId, String requestedBy, Instant now) {
    String key = "test|" + UUID.randomUUID();
    try (Connection c = dataSource.getConnection();
        PreparedStatement s = c.prepareStatement(
            "INSERT INTO webhook_deliveries (hook_id, site_id, conversation_id, event_key, event_type, payload,"
                + " created_at, next_attempt_at)"
                + " SELECT id, site_id, '', ?, 'webhook.test', json_build_object('id', ?::text, 'type', 'webhook.test',"
                + " 'siteId', site_id, 'conversationId', NULL, 'occurredAt', ?::timestamptz,"
                + " 'data', json_build_object('requestedBy', ?::text))::text, ?, ?"
                + " FROM webhooks WHERE site_id = ? AND id = ? AND deleted_at IS NULL RETURNING id")) {
      Timestamp at = Timestamp.from(now);
      s.setString(1, key);
      s.setString(2, key);
      s.setTimestamp(3, at);
      s.setString(4, requestedBy);
      s.setTimestamp(5, at);
      s.setTimestamp(6, at);
      s.setString(7, siteId);
      s.setString(8, hookId);
      try (ResultSet rs = s.executeQuery()) {
        return rs.next() ? Optional.of(rs.getLong(1)) : Optional.empty();
      }
    } catch (SQLException e) {
      throw new IllegalStateException("could not queue the test delivery", e);
    }
  }

  /** A hook's deliveries, newest first, older than {@code beforeId} (0: from the newest). */
  public List<Delivery> deliveries(String siteId, String hookId, long beforeId, int limit) {
    List<Delivery> out = new ArrayList<>();
    try (Connection c = dataSource.getConnection();
        PreparedStatement s = c.prepareStatement(
            "SELECT id, hook_id, conversation_id, event_type, state, attempts, last_status, last_error, created_at,"
                + " last_attempt_at, next_attempt_at, delivered_at FROM webhook_deliveries"
                + " WHERE site_id = ? AND hook_id = ? AND (? = 0 OR id < ?) ORDER BY id DESC LIMIT ?")) {
      s.setString(1, siteId);
      s.setString(2, hookId);
      s.setLong(3, beforeId);
      s.setLong(4, beforeId);
      s.setInt(5, limit);
      try (ResultSet rs = s.executeQuery()) {
        while (rs.next()) {
          int status = rs.getInt(7);
          Integer lastStatus = rs.wasNull() ? null : status;
          out.add(new Delivery(
              rs.getLong(1), rs.getString(2), rs.getString(3).isEmpty() ? null : rs.getString(3), rs.getString(4),
              rs.getString(5), rs.getInt(6), lastStatus, rs.getString(8), instant(rs.getTimestamp(9)),
              instant(rs.getTimestamp(10)), instant(rs.getTimestamp(11)), instant(rs.getTimestamp(12))));
        }
      }
    } catch (SQLException e) {
      throw new IllegalStateException("could not read the deliveries", e);
    }
    return out;
  }

  // The sender -------------------------------------------------------------------------------------------------

  /**
   * Leases up to {@code limit} due deliveries until {@code leaseUntil}: for each hook and conversation only its
   * oldest pending one, and none another node holds. Counts the attempt.
   */
  public List<Claimed> claim(Instant now, Instant leaseUntil, int limit) {
    List<Claimed> out = new ArrayList<>();
    try (Connection c = dataSource.getConnection();
        PreparedStatement s = c.prepareStatement(
            "WITH due AS (SELECT d.id FROM webhook_deliveries d JOIN webhooks h ON h.id = d.hook_id"
                + " WHERE d.state = 'pending' AND h.deleted_at IS NULL AND d.next_attempt_at <= ?"
                + " AND (d.leased_until IS NULL OR d.leased_until < ?)"
                + " AND d.id = (SELECT min(e.id) FROM webhook_deliveries e WHERE e.hook_id = d.hook_id"
                + "   AND e.conversation_id = d.conversation_id AND e.state = 'pending')"
                + " ORDER BY d.id LIMIT ? FOR UPDATE OF d SKIP LOCKED)"
                + " UPDATE webhook_deliveries u SET leased_until = ?, attempts = u.attempts + 1, last_attempt_at = ?"
                + " FROM due, webhooks h WHERE u.id = due.id AND h.id = u.hook_id"
                + " RETURNING u.id, u.hook_id, h.url, h.secret, u.event_type, u.payload, u.attempts, u.created_at")) {
      Timestamp at = Timestamp.from(now);
      s.setTimestamp(1, at);
      s.setTimestamp(2, at);
      s.setInt(3, limit);
      s.setTimestamp(4, Timestamp.from(leaseUntil));
      s.setTimestamp(5, at);
      try (ResultSet rs = s.executeQuery()) {
        while (rs.next()) {
          out.add(new Claimed(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
              rs.getString(6), rs.getInt(7), instant(rs.getTimestamp(8))));
        }
      }
    } catch (SQLException e) {
      throw new IllegalStateException("could not claim webhook deliveries", e);
    }
    out.sort(java.util.Comparator.comparingLong(Claimed::id));
    return out;
  }

  public void delivered(long id, int status, Instant now) {
    update("UPDATE webhook_deliveries SET state = 'delivered', delivered_at = ?, last_status = ?, last_error = NULL,"
        + " leased_until = NULL WHERE id = ?", now.atOffset(ZoneOffset.UTC), status, id);
  }

  /** An attempt failed: try again at {@code retryAt}, or give up ({@code retryAt} null). */
  public void attemptFailed(long id, Integer status, String error, Instant retryAt) {
    String message = error == null ? null : error.length() > 500 ? error.substring(0, 500) : error;
    if (retryAt == null) {
      update("UPDATE webhook_deliveries SET state = 'failed', last_status = ?, last_error = ?, leased_until = NULL"
          + " WHERE id = ?", status, message, id);
    } else {
      update("UPDATE webhook_deliveries SET last_status = ?, last_error = ?, leased_until = NULL, next_attempt_at = ?"
          + " WHERE id = ?", status, message, retryAt.atOffset(ZoneOffset.UTC), id);
    }
  }

  // -------------------------------------------------------------------------------------------------------------

  private List<Hook> hooks(String sql, Object... params) {
    List<Hook> out = new ArrayList<>();
    try (Connection c = dataSource.getConnection();
        PreparedStatement s = c.prepareStatement(sql)) {
      for (int i = 0; i < params.length; i++) {
        s.setObject(i + 1, params[i]);
      }
      try (ResultSet rs = s.executeQuery()) {
        while (rs.next()) {
          Array events = rs.getArray(4);
          out.add(new Hook(rs.getString(1), rs.getString(2), rs.getString(3), List.of((String[]) events.getArray()),
              rs.getString(5), instant(rs.getTimestamp(6))));
        }
      }
    } catch (SQLException e) {
      throw new IllegalStateException("could not read webhooks", e);
    }
    return out;
  }

  private int update(String sql, Object... params) {
    try (Connection c = dataSource.getConnection();
        PreparedStatement s = c.prepareStatement(sql)) {
      for (int i = 0; i < params.length; i++) {
        if (params[i] == null) {
          s.setNull(i + 1, java.sql.Types.NULL);
        } else {
          s.setObject(i + 1, params[i]);
        }
      }
      return s.executeUpdate();
    } catch (SQLException e) {
      throw new IllegalStateException("webhook update failed", e);
    }
  }

  private static Instant instant(Timestamp t) {
    return t == null ? null : t.toInstant();
  }
}
