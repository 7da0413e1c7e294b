package dev.parley.persistence.readmodel;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import javax.sql.DataSource;

/**
 * The rows of a CSV export, read through a server-side cursor: PostgreSQL sends {@link #FETCH_ROWS} rows at a
 * time, so a million-row export holds one fetch in memory, never the result.
 *
 * <p>The count and the rows come from one read-only {@code REPEATABLE READ} transaction, so {@link #total()} is
 * exactly the number of rows that follow, however many conversations arrive meanwhile. Not thread-safe: one
 * stream reads it; {@link #close()} ends the transaction and returns the connection.
 */
public final class ExportCursor implements AutoCloseable {

  /** Rows per round trip of the cursor. */
  public static final int FETCH_ROWS = 1_000;

  public enum Kind {
    CONVERSATIONS("conversations"),
    MESSAGES("messages");

    private final String code;

    Kind(String code) {
      this.code = code;
    }

    public String code() {
      return code;
    }
  }

  public static final List<String> CONVERSATION_COLUMNS =
      List.of(
          "conversation_id", "visitor_id", "visitor_name", "visitor_email", "status", "group", "agents", "labels",
          "opened_at", "first_assigned_at", "first_response_at", "closed_at", "visitor_messages", "agent_messages",
          "transfers", "rating", "rating_comment", "missed", "last_message_preview");

  public static final List<String> MESSAGE_COLUMNS =
      List.of("conversation_id", "seq", "at", "kind", "author_role", "author_id", "text", "detail");

  private final Connection connection;
  private final PreparedStatement statement;
  private final ResultSet rows;
  private final long total;
  private final Kind kind;

  private ExportCursor(Connection connection, PreparedStatement statement, ResultSet rows, long total, Kind kind) {
    this.connection = connection;
    this.statement = statement;
    this.rows = rows;
    this.total = total;
    this.kind = kind;
  }

  /** Opens the export of a site's conversations, or of their messages, matching {@code filter}. */
  public static ExportCursor open(
      DataSource dataSource, ConversationReads reads, Kind kind, String siteId, ConversationFilter filter,
      Visibility visibility) {
    ConversationReads.Where where = reads.where(siteId, filter, visibility);
    String from =
        " FROM read_conversations c"
            + " LEFT JOIN read_visitors v ON v.site_id = c.site_id AND v.visitor_id = c.visitor_id"
            + (kind == Kind.MESSAGES
                ? " JOIN read_messages m ON m.conversation_id = c.conversation_id AND m.site_id = c.site_id AND m.seq > 0"
                : "")
            + where.sql();
    String select =
        kind == Kind.CONVERSATIONS
            ? "SELECT c.conversation_id, c.visitor_id, v.name, v.email, c.status, c.group_id,"
                + " array_to_string(c.agent_ids, ' '), array_to_string(c.labels, ' '), c.opened_at,"
                + " c.first_assigned_at, c.first_response_at, c.closed_at, c.visitor_messages, c.agent_messages,"
                + " c.transfers, c.rating, c.rating_comment, c.missed, c.last_message_preview"
                + from + " ORDER BY c.opened_at DESC, c.conversation_id DESC"
            : "SELECT c.conversation_id, m.seq, m.at, m.kind, m.author_role, m.author_id, m.body, m.detail"
                + from + " ORDER BY c.opened_at DESC, c.conversation_id DESC, m.seq";
    Connection c = null;
    try {
      c = dataSource.getConnection();
      c.setAutoCommit(false);
      c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
      c.setReadOnly(true);
      long total;
      try (PreparedStatement count = c.prepareStatement("SELECT count(*)" + from)) {
        ConversationReads.bind(count, where.params());
        try (ResultSet rs = count.executeQuery()) {
          rs.next();
          total = rs.getLong(1);
        }
      }
      PreparedStatement s = c.prepareStatement(select, ResultSet.TYPE_FORWARD_ONLY, ResultSet.CONCUR_READ_ONLY);
      s.setFetchSize(FETCH_ROWS);
      ConversationReads.bind(s, where.params());
      return new ExportCursor(c, s, s.executeQuery(), total, kind);
    } catch (SQLException | RuntimeException e) {
      if (c != null) {
        try {
          c.rollback();
          c.close();
        } catch (SQLException closing) {
          e.addSuppressed(closing);
        }
      }
      throw e instanceof RuntimeException r ? r : new IllegalStateException("export query failed", e);
    }
  }

  public long total() {
    return total;
  }

  public List<String> header() {
    return kind == Kind.CONVERSATIONS ? CONVERSATION_COLUMNS : MESSAGE_COLUMNS;
  }

  /** The next row's cells (null cells as empty strings, times in ISO-8601 UTC), or null after the last. */
  public List<String> next() {
    try {
      if (!rows.next()) {
        return null;
      }
      int n = header().size();
      List<String> cells = new ArrayList<>(n);
      for (int i = 1; i <= n; i++) {
        Object value = rows.getObject(i);
        if (value == null) {
          cells.add("");
        } else if (value instanceof Timestamp t) {
          cells.add(t.toInstant().toString());
        } else if (value instanceof java.sql.Array a) {
          cells.add(String.join(" ", Arrays.asList((String[]) a.getArray())));
        } else {
          cells.add(value.toString());
        }
      }
      return cells;
    } catch (SQLException e) {
      throw new IllegalStateException("export cursor failed", e);
    }
  }

  @Override
  public void close() {
    try {
      rows.close();
      statement.close();
      connection.rollback(); // read only: nothing to keep
    } catch (SQLException e) {
      throw new IllegalStateException("could not close the export cursor", e);
    } finally {
      try {
        connection.close();
      } catch (SQLException e) {
        // the pool evicts a broken connection by itself
      }
    }
  }
}
