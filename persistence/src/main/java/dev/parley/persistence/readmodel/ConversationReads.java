package dev.parley.persistence.readmodel;

import dev.parley.persistence.search.Highlighter;
import dev.parley.persistence.search.TextAnalyzer;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * Queries of the conversation list, transcripts and search. Every query names the site, and only rows of that
 * site can come out (a condition of every statement, not a check afterwards); {@link Visibility} narrows further.
 */
public final class ConversationReads {

  public static final int MAX_PAGE = 200;
  public static final int MAX_SEARCH_HITS = 100;
  /** Timeline entries one transcript holds at most (a conversation's visitor quota is 1,000 messages). */
  public static final int MAX_TRANSCRIPT_ENTRIES = 20_000;

  private final DataSource dataSource;
  private final TextAnalyzer analyzer;
  private final Highlighter highlighter;

  public ConversationReads(DataSource dataSource, TextAnalyzer analyzer) {
    this.dataSource = dataSource;
    this.analyzer = analyzer;
    this.highlighter = new Highlighter(analyzer);
  }

  public TextAnalyzer analyzer() {
    return analyzer;
  }

  /** A row of the conversation list. Times are null until they happen. */
  public record ConversationRow(
      String conversationId,
      String siteId,
      String visitorId,
      String visitorName,
      String visitorEmail,
      String visitorUserId,
      boolean visitorVerified,
      String status,
      String groupId,
      String agentId,
      List<String> agentIds,
      List<String> labels,
      Instant openedAt,
      Instant firstAssignedAt,
      Instant firstResponseAt,
      Instant closedAt,
      String closedBy,
      long lastSeq,
      Instant lastMessageAt,
      String lastMessageAuthor,
      String lastMessagePreview,
      int visitorMessages,
      int agentMessages,
      int systemMessages,
      int transfers,
      Integer rating,
      String ratingComment,
      boolean missed,
      Instant erasedAt) {}

  /** One page, newest first; {@code nextCursor} is null on the last page. */
  public record Page(List<ConversationRow> items, String nextCursor) {}

  /** A timeline entry of a transcript. {@code body} is null for entries other than messages. */
  public record Entry(
      long seq, String kind, String authorRole, String authorId, String body, String detail, Instant at) {}

  public record Hit(
      String conversationId,
      long seq,
      String authorRole,
      String authorId,
      Instant at,
      double rank,
      String visitorId,
      String visitorName,
      Highlighter.Snippet snippet) {}

  static final String SELECT_CONVERSATION =
      "SELECT c.conversation_id, c.site_id, c.visitor_id, v.name, v.email, v.user_id, COALESCE(v.verified, FALSE),"
          + " c.status, c.group_id, c.agent_id, c.agent_ids, c.labels, c.opened_at, c.first_assigned_at,"
          + " c.first_response_at, c.closed_at, c.closed_by, c.last_seq, c.last_message_at, c.last_message_author,"
          + " c.last_message_preview, c.visitor_messages, c.agent_messages, c.system_messages, c.transfers,"
          + " c.rating, c.rating_comment, c.missed, c.erased_at"
          + " FROM read_conversations c"
          + " LEFT JOIN read_visitors v ON v.site_id = c.site_id AND v.visitor_id = c.visitor_id";

  // ---------------------------------------------------------------------------------------------------------

  /**
   * A page of a site's conversations, newest first (by opening time, then id). The cursor is the position after
   * the last row of the previous page: conversations opened since then come before it, so paging on never
   * repeats nor skips a row, however many arrive meanwhile.
   */
  public Page list(String siteId, ConversationFilter filter, Visibility visibility, String cursor, int limit) {
    int size = Math.max(1, Math.min(limit, MAX_PAGE));
    Where where = where(siteId, filter, visibility);
    if (cursor != null) {
      Cursor after = Cursor.decode(cursor);
      where.and(
          "(c.opened_at, c.conversation_id) < (CAST(? AS timestamptz), CAST(? AS text))",
          utc(after.openedAt().toInstant()), after.conversationId());
    }
    String sql =
        SELECT_CONVERSATION + where.sql() + " ORDER BY c.opened_at DESC, c.conversation_id DESC LIMIT " + (size + 1);
    List<ConversationRow> rows = query(sql, where.params(), ConversationReads::conversation);
    String next = null;
    if (rows.size() > size) {
      rows = rows.subList(0, size);
      ConversationRow last = rows.get(size - 1);
      next = new Cursor(Timestamp.from(last.openedAt()), last.conversationId()).encode();
    }
    return new Page(List.copyOf(rows), next);
  }

  public Optional<ConversationRow> conversation(String siteId, String conversationId, Visibility visibility) {
    Where where = where(siteId, ConversationFilter.ANY, visibility);
    where.and("c.conversation_id = ?", conversationId);
    List<ConversationRow> rows = query(SELECT_CONVERSATION + where.sql(), where.params(), ConversationReads::conversation);
    return rows.stream().findFirst();
  }

  /** The timeline of a conversation the caller may read (check with {@link #conversation} first), by seq. */
  public List<Entry> transcript(String siteId, String conversationId) {
    return query(
        "SELECT seq, kind, author_role, author_id, body, detail, at FROM read_messages"
            + " WHERE site_id = ? AND conversation_id = ? AND seq > 0 ORDER BY seq LIMIT " + MAX_TRANSCRIPT_ENTRIES,
        List.of(siteId, conversationId),
        rs -> new Entry(
            rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5), rs.getString(6),
            instant(rs.getTimestamp(7))));
  }

  /**
   * Messages of a site containing every word of {@code text}, best first (PostgreSQL's ts_rank, normalised by
   * length), each with a highlighted snippet. Empty when the text has no searchable word.
   */
  public List<Hit> search(String siteId, String text, Instant from, Instant to, Visibility visibility, int limit) {
    List<String> terms = analyzer.queryTerms(text);
    String query = analyzer.tsquery(terms);
    if (query == null) {
      return List.of();
    }
    List<Object> params = new ArrayList<>();
    StringBuilder sql =
        new StringBuilder(
            // Rank and cut to the page first, then join the conversations and visitors of those rows only: a
            // frequent word can match most of a site's messages, and joining every match cost more than ranking.
            "SELECT m.conversation_id, m.seq, m.author_role, m.author_id, m.at, ts_rank(m.terms, q, 1) AS rank,"
                + " m.site_id, m.body FROM read_messages m CROSS JOIN CAST(? AS tsquery) q");
    params.add(query);
    if (!visibility.all()) {
      sql.append(" JOIN read_conversations a ON a.conversation_id = m.conversation_id AND a.site_id = m.site_id"
          + " AND ? = ANY(a.agent_ids)");
      params.add(visibility.onlyAgentId());
    }
    sql.append(" WHERE m.site_id = ? AND m.terms @@ q");
    params.add(siteId);
    if (from != null) {
      sql.append(" AND m.at >= CAST(? AS timestamptz)");
      params.add(utc(from));
    }
    if (to != null) {
      sql.append(" AND m.at < CAST(? AS timestamptz)");
      params.add(utc(to));
    }
    sql.append(" ORDER BY rank DESC, m.at DESC, m.conversation_id, m.seq LIMIT ")
        .append(Math.max(1, Math.min(limit, MAX_SEARCH_HITS)));
    sql.insert(0, "SELECT h.conversation_id, h.seq, h.author_role, h.author_id, h.at, h.rank, c.visitor_id, v.name,"
            + " h.body FROM (")
        .append(") h JOIN read_conversations c ON c.conversation_id = h.conversation_id AND c.site_id = h.site_id"
            + " LEFT JOIN read_visitors v ON v.site_id = c.site_id AND v.visitor_id = c.visitor_id"
            + " ORDER BY h.rank DESC, h.at DESC, h.conversation_id, h.seq");
    return query(
        sql.toString(),
        params,
        rs -> new Hit(
            rs.getString(1), rs.getLong(2), rs.getString(3), rs.getString(4), instant(rs.getTimestamp(5)),
            rs.getDouble(6), rs.getString(7), rs.getString(8), highlighter.snippet(rs.getString(9), terms)));
  }

  /** A rating: the conversation it is about, who had it, the score and comment. */
  public record RatingRow(
      String conversationId, String visitorId, String visitorName, String agentId, String groupId,
      List<String> labels, int score, String comment, Instant ratedAt) {}

  /** A page of ratings, newest first; {@code nextCursor} is null on the last page. */
  public record RatingPage(List<RatingRow> items, String nextCursor) {}

  /**
   * What the rating list is narrowed to; null means any. {@code from}/{@code to} are on the rating's time;
   * {@code commented}: only ratings with (true) or without (false) a comment.
   */
  public record RatingFilter(
      Integer minScore, Integer maxScore, String agentId, String groupId, String label, Instant from, Instant to,
      Boolean commented) {
    public static final RatingFilter ANY = new RatingFilter(null, null, null, null, null, null, null, null);
  }

  /** A page of a site's ratings, newest first (by rating time, then conversation id), keyset-paginated. */
  public RatingPage ratings(String siteId, RatingFilter f, Visibility visibility, String cursor, int limit) {
    int size = Math.max(1, Math.min(limit, MAX_PAGE));
    Where w = where(siteId, new ConversationFilter(null, f.agentId(), f.groupId(), f.minScore(), f.maxScore(), null,
        null, null, null, null, f.label()), visibility);
    w.and("c.rating IS NOT NULL");
    if (f.from() != null) {
      w.and("c.rated_at >= CAST(? AS timestamptz)", utc(f.from()));
    }
    if (f.to() != null) {
      w.and("c.rated_at < CAST(? AS timestamptz)", utc(f.to()));
    }
    if (f.commented() != null) {
      w.and(f.commented() ? "c.rating_comment IS NOT NULL" : "c.rating_comment IS NULL");
    }
    if (cursor != null) {
      Cursor after = Cursor.decode(cursor);
      w.and("(c.rated_at, c.conversation_id) < (CAST(? AS timestamptz), CAST(? AS text))",
          utc(after.openedAt().toInstant()), after.conversationId());
    }
    List<RatingRow> rows = query(
        "SELECT c.conversation_id, c.visitor_id, v.name, c.agent_id, c.group_id, c.labels, c.rating,"
            + " c.rating_comment, c.rated_at FROM read_conversations c"
            + " LEFT JOIN read_visitors v ON v.site_id = c.site_id AND v.visitor_id = c.visitor_id"
            + w.sql() + " ORDER BY c.rated_at DESC, c.conversation_id DESC LIMIT " + (size + 1),
        w.params(),
        rs -> new RatingRow(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
            strings(rs.getArray(6)), rs.getInt(7), rs.getString(8), instant(rs.getTimestamp(9))));
    String next = null;
    if (rows.size() > size) {
      rows = rows.subList(0, size);
      RatingRow last = rows.get(size - 1);
      next = new Cursor(Timestamp.from(last.ratedAt()), last.conversationId()).encode();
    }
    return new RatingPage(List.copyOf(rows), next);
  }

  // ---------------------------------------------------------------------------------------------------------

  /** A WHERE clause and its parameters, built from a filter; always starts with the site. */
  static final class Where {
    private final StringBuilder sql = new StringBuilder(" WHERE c.site_id = ?");
    private final List<Object> params = new ArrayList<>();

    Where(String siteId) {
      params.add(siteId);
    }

    Where and(String condition, Object... values) {
      sql.append(" AND ").append(condition);
      params.addAll(Arrays.asList(values));
      return this;
    }

    String sql() {
      return sql.toString();
    }

    List<Object> params() {
      return params;
    }
  }

  Where where(String siteId, ConversationFilter f, Visibility visibility) {
    Where w = new Where(siteId);
    if (!visibility.all()) {
      w.and("? = ANY(c.agent_ids)", visibility.onlyAgentId());
    }
    if (f.status() != null) {
      w.and("c.status = ?", f.status());
    }
    if (f.agentId() != null) {
      w.and("? = ANY(c.agent_ids)", f.agentId());
    }
    if (f.groupId() != null) {
      w.and("c.group_id = ?", f.groupId());
    }
    if (f.minRating() != null) {
      w.and("c.rating >= ?", f.minRating());
    }
    if (f.maxRating() != null) {
      w.and("c.rating <= ?", f.maxRating());
    }
    if (f.from() != null) {
      w.and("c.opened_at >= CAST(? AS timestamptz)", utc(f.from()));
    }
    if (f.to() != null) {
      w.and("c.opened_at < CAST(? AS timestamptz)", utc(f.to()));
    }
    if (f.missed() != null) {
      w.and("c.missed = ?", f.missed());
    }
    if (f.label() != null) {
      w.and("c.labels @> ARRAY[CAST(? AS text)]", f.label());
    }
    if (f.visitor() != null) {
      String prefix = f.visitor().toLowerCase(java.util.Locale.ROOT).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%";
      w.and(
          "(c.visitor_id = ? OR lower(v.email) = lower(?) OR lower(v.name) LIKE ?)",
          f.visitor(), f.visitor(), prefix);
    }
    if (f.text() != null) {
      String query = analyzer.tsquery(analyzer.queryTerms(f.text()));
      if (query == null) {
        w.and("FALSE");
      } else {
        w.and(
            "EXISTS (SELECT 1 FROM read_messages m WHERE m.conversation_id = c.conversation_id"
                + " AND m.site_id = c.site_id AND m.terms @@ CAST(? AS tsquery))",
            query);
      }
    }
    return w;
  }

  /** The position after a row: its opening time (microseconds) and id, opaque to clients. */
  record Cursor(Timestamp openedAt, String conversationId) {
    String encode() {
      Instant at = openedAt.toInstant();
      long micros = at.getEpochSecond() * 1_000_000L + at.getNano() / 1_000;
      return Base64.getUrlEncoder()
          .withoutPadding()
          .encodeToString(("1|" + micros + "|" + conversationId).getBytes(StandardCharsets.UTF_8));
    }

    static Cursor decode(String cursor) {
      try {
        String[] parts = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8).split("\\|", 3);
        if (parts.length != 3 || !parts[0].equals("1")) {
          throw new IllegalArgumentException("not a cursor of this API");
        }
        long micros = Long.parseLong(parts[1]);
        Instant at = Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1_000L);
        return new Cursor(Timestamp.from(at), parts[2]);
      } catch (IllegalArgumentException e) {
        throw new InvalidCursor();
      }
    }
  }

  /** A cursor this API did not hand out. */
  public static final class InvalidCursor extends IllegalArgumentException {
    InvalidCursor() {
      super("the cursor is not one this API returned");
    }
  }

  static ConversationRow conversation(ResultSet rs) throws SQLException {
    int rating = rs.getInt(26);
    Integer score = rs.wasNull() ? null : rating;
    return new ConversationRow(
        rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5), rs.getString(6),
        rs.getBoolean(7), rs.getString(8), rs.getString(9), rs.getString(10), strings(rs.getArray(11)),
        strings(rs.getArray(12)), instant(rs.getTimestamp(13)), instant(rs.getTimestamp(14)),
        instant(rs.getTimestamp(15)), instant(rs.getTimestamp(16)), rs.getString(17), rs.getLong(18),
        instant(rs.getTimestamp(19)), rs.getString(20), rs.getString(21), rs.getInt(22), rs.getInt(23),
        rs.getInt(24), rs.getInt(25), score, rs.getString(27), rs.getBoolean(28), instant(rs.getTimestamp(29)));
  }

  static List<String> strings(java.sql.Array array) throws SQLException {
    if (array == null) {
      return List.of();
    }
    return List.of((String[]) array.getArray());
  }

  /** Times go to PostgreSQL as timestamptz values, never through the JVM's time zone. */
  static java.time.OffsetDateTime utc(Instant at) {
    return at.atOffset(java.time.ZoneOffset.UTC);
  }

  static Instant instant(Timestamp t) {
    return t == null ? null : t.toInstant();
  }

  interface RowMapper<T> {
    T map(ResultSet rs) throws SQLException;
  }

  <T> List<T> query(String sql, List<Object> params, RowMapper<T> mapper) {
    try (Connection c = dataSource.getConnection();
        PreparedStatement s = c.prepareStatement(sql)) {
      bind(s, params);
      List<T> out = new ArrayList<>();
      try (ResultSet rs = s.executeQuery()) {
        while (rs.next()) {
          out.add(mapper.map(rs));
        }
      }
      return out;
    } catch (SQLException e) {
      throw new IllegalStateException("read-side query failed", e);
    }
  }

  static void bind(PreparedStatement s, List<Object> params) throws SQLException {
    for (int i = 0; i < params.size(); i++) {
      Object p = params.get(i);
      if (p == null) {
        s.setNull(i + 1, Types.NULL);
      } else {
        s.setObject(i + 1, p);
      }
    }
  }
}
