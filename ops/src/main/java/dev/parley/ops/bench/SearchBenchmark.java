package dev.parley.ops.bench;

import com.zaxxer.hikari.HikariDataSource;
import dev.parley.persistence.config.Databases;
import dev.parley.persistence.config.PersistenceSettings;
import dev.parley.persistence.readmodel.ConversationReads;
import dev.parley.persistence.readmodel.Visibility;
import dev.parley.persistence.search.TextAnalyzer;
import dev.parley.persistence.statistics.Statistics;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.HdrHistogram.Histogram;

/**
 * Search and statistics latency over a generated corpus, not a test: {@code ops/bench-search [--messages N] [--queries N]}.
 *
 * <p>Generates N messages (half Chinese, half English, over 10 sites, built from word lists so that terms have
 * realistic frequencies), analyses them with the read side's {@link TextAnalyzer} and writes them with batched
 * inserts straight into {@code read_messages} of a fresh database on the local PostgreSQL server (not through
 * the entities), then times {@link ConversationReads#search} for a mix of Chinese and English queries, and
 * {@link Statistics#report} over 90 days of one site by each grouping (one conversation row per 20 messages, with
 * groups, agents, response and close times, missed ones and ratings).
 */
public final class SearchBenchmark {

  private static final String[] ZH = {
    "发货", "茉莉花", "绿茶", "订单", "退款", "快递", "包装", "价格", "优惠", "客服", "地址", "明天", "今天", "请问", "什么时候",
    "已经", "收到", "质量", "颜色", "尺寸", "谢谢", "可以", "没有", "还是", "因为", "所以", "红茶", "乌龙", "礼盒", "会员"
  };
  private static final String[] EN = {
    "shipping", "order", "refund", "package", "delivery", "tea", "jasmine", "price", "discount", "address", "tomorrow",
    "today", "received", "quality", "color", "size", "thanks", "please", "when", "where", "tracking", "courier",
    "gift", "member", "green", "black", "oolong", "box", "cancel", "return"
  };
  private static final List<String> QUERIES =
      List.of("发货", "茉莉花", "退款 快递", "什么时候 发货", "礼盒", "shipping", "Ship", "refund", "tracking number",
          "jasmine tea", "gift box", "oolong");

  public static void main(String[] args) throws Exception {
    int messages = 100_000;
    int queries = 500;
    String pg = "jdbc:postgresql://127.0.0.1:5432/";
    for (int i = 0; i + 1 < args.length; i += 2) {
      switch (args[i]) {
        case "--messages" -> messages = Integer.parseInt(args[i + 1]);
        case "--queries" -> queries = Integer.parseInt(args[i + 1]);
        case "--pg" -> pg = args[i + 1];
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    String name = "parley_bench_search_" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd_HHmmss"));
    try (Connection c = DriverManager.getConnection(pg + "postgres", "postgres", ""); Statement s = c.createStatement()) {
      s.execute("CREATE DATABASE " + name);
    }
    PersistenceSettings settings = PersistenceSettings.postgres(pg + name, "postgres", "");
    TextAnalyzer analyzer = new TextAnalyzer();
    try (HikariDataSource pool = Databases.pool(settings, "bench", 4)) {
      Databases.migrate(pool, settings);
      long t0 = System.nanoTime();
      generate(pool, analyzer, messages);
      double loadSeconds = (System.nanoTime() - t0) / 1e9;
      try (Connection c = pool.getConnection(); Statement s = c.createStatement()) {
        s.execute("VACUUM ANALYZE read_messages");
        s.execute("VACUUM ANALYZE read_conversations");
      }
      ConversationReads reads = new ConversationReads(pool, analyzer);
      Random random = new Random(7);
      for (int i = 0; i < 50; i++) { // warm-up
        reads.search("site-" + random.nextInt(10), QUERIES.get(i % QUERIES.size()), null, null, Visibility.ALL, 20);
      }
      Histogram h = new Histogram(3);
      long hits = 0;
      for (int i = 0; i < queries; i++) {
        String q = QUERIES.get(random.nextInt(QUERIES.size()));
        long start = System.nanoTime();
        hits += reads.search("site-" + random.nextInt(10), q, null, null, Visibility.ALL, 20).size();
        h.recordValue((System.nanoTime() - start) / 1_000);
      }
      System.out.printf(Locale.ROOT,
          "search over %,d messages (10 sites, half Chinese, half English), database %s: loaded in %.0f s;"
              + " %d queries of 20 hits: p50 %.1f ms, p95 %.1f ms, p99 %.1f ms, max %.1f ms (avg %.1f hits)%n",
          messages, name, loadSeconds, queries, h.getValueAtPercentile(50) / 1000.0,
          h.getValueAtPercentile(95) / 1000.0, h.getValueAtPercentile(99) / 1000.0, h.getMaxValue() / 1000.0,
          hits / (double) queries);
      statistics(pool, messages);
    }
  }

  /** Times 90-day statistics of one site (Asia/Shanghai days) by total, day, hour, agent and group. */
  private static void statistics(HikariDataSource pool, int messages) {
    Statistics statistics = new Statistics(pool);
    ZoneId zone = ZoneId.of("Asia/Shanghai");
    Instant to = Instant.now().plusSeconds(86_400);
    Instant from = to.minusSeconds(91L * 86_400);
    for (Statistics.Grouping by : Statistics.Grouping.values()) {
      for (int i = 0; i < 5; i++) { // warm-up
        statistics.report("site-" + i, zone, from, to, by, Statistics.Filter.ANY);
      }
      Histogram h = new Histogram(3);
      long rows = 0;
      for (int i = 0; i < 50; i++) {
        long start = System.nanoTime();
        rows += statistics.report("site-" + (i % 10), zone, from, to, by, Statistics.Filter.ANY).size();
        h.recordValue((System.nanoTime() - start) / 1_000);
      }
      System.out.printf(Locale.ROOT,
          "90-day statistics by %s of one site (%,d conversations per site): 50 queries: p50 %.1f ms, p95 %.1f ms,"
              + " max %.1f ms (%d rows each)%n",
          by, messages / 20 / 10, h.getValueAtPercentile(50) / 1000.0, h.getValueAtPercentile(95) / 1000.0,
          h.getMaxValue() / 1000.0, rows / 50);
    }
  }

  private static void generate(HikariDataSource pool, TextAnalyzer analyzer, int messages) throws Exception {
    Random random = new Random(42);
    int perConversation = 20;
    Instant base = Instant.now().minusSeconds(90L * 86_400);
    try (Connection c = pool.getConnection();
        PreparedStatement conv = c.prepareStatement(
            "INSERT INTO read_conversations (conversation_id, site_id, visitor_id, status, opened_at, group_id, agent_id,"
                + " agent_ids, first_assigned_at, first_response_at, closed_at, visitor_messages, agent_messages,"
                + " transfers, rating, rated_at, missed) VALUES (?, ?, ?, 'closed', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
        PreparedStatement msg = c.prepareStatement(
            "INSERT INTO read_messages (conversation_id, seq, site_id, kind, author_role, author_id, body, at, terms)"
                + " VALUES (?, ?, ?, 'message', ?, ?, ?, ?, CAST(? AS tsvector))")) {
      c.setAutoCommit(false);
      for (int i = 0; i < messages; i++) {
        int conversation = i / perConversation;
        String id = "c-" + conversation;
        String site = "site-" + (conversation % 10);
        Timestamp at = Timestamp.from(base.plusSeconds(i * 7L));
        if (i % perConversation == 0) {
          conv.setString(1, id);
          conv.setString(2, site);
          conv.setString(3, "v-" + conversation);
          conv.setTimestamp(4, at);
          conversationFigures(conv, random, conversation, at.toInstant(), perConversation);
          conv.addBatch();
        }
        String body = sentence(random, conversation % 2 == 0);
        msg.setString(1, id);
        msg.setLong(2, i % perConversation + 1);
        msg.setString(3, site);
        msg.setString(4, i % 2 == 0 ? "visitor" : "agent");
        msg.setString(5, i % 2 == 0 ? "v-" + conversation : "agent-" + (conversation % 17));
        msg.setString(6, body);
        msg.setTimestamp(7, at);
        msg.setString(8, analyzer.tsvector(body));
        msg.addBatch();
        if (i % 2_000 == 1_999) {
          conv.executeBatch();
          msg.executeBatch();
          c.commit();
        }
      }
      conv.executeBatch();
      msg.executeBatch();
      c.commit();
    }
  }

  /** Group, agent, response and close times, counts and a rating, spread as a shop's would be (one in ten missed). */
  private static void conversationFigures(
      PreparedStatement conv, Random random, int conversation, Instant opened, int messages) throws Exception {
    boolean missed = random.nextInt(10) == 0;
    String agent = "agent-" + (conversation % 17);
    conv.setString(5, "group-" + (conversation % 3));
    conv.setString(6, missed ? null : agent);
    conv.setArray(7, conv.getConnection().createArrayOf("text", missed ? new String[0] : new String[] {agent}));
    Instant assigned = opened.plusSeconds(1 + random.nextInt(60));
    Instant responded = assigned.plusSeconds(5 + (long) (Math.abs(random.nextGaussian()) * 90));
    Instant closed = responded.plusSeconds(60 + random.nextInt(1_800));
    conv.setTimestamp(8, missed ? null : Timestamp.from(assigned));
    conv.setTimestamp(9, missed ? null : Timestamp.from(responded));
    conv.setTimestamp(10, Timestamp.from(missed ? opened.plusSeconds(600) : closed));
    conv.setInt(11, missed ? 1 : messages / 2);
    conv.setInt(12, missed ? 0 : messages / 2);
    conv.setInt(13, random.nextInt(20) == 0 ? 1 : 0);
    boolean rated = !missed && random.nextInt(3) == 0;
    if (rated) {
      conv.setInt(14, Math.max(1, 5 - (int) Math.abs(random.nextGaussian() * 1.2)));
      conv.setTimestamp(15, Timestamp.from(closed.plusSeconds(30)));
    } else {
      conv.setNull(14, java.sql.Types.SMALLINT);
      conv.setNull(15, java.sql.Types.TIMESTAMP_WITH_TIMEZONE);
    }
    conv.setBoolean(16, missed);
  }

  private static String sentence(Random random, boolean chinese) {
    StringBuilder sb = new StringBuilder();
    int words = 6 + random.nextInt(14);
    for (int w = 0; w < words; w++) {
      if (chinese) {
        sb.append(ZH[(int) Math.min(ZH.length - 1, Math.abs(random.nextGaussian()) * ZH.length / 2.5)]);
        if (random.nextInt(6) == 0) {
          sb.append('，');
        }
      } else {
        if (w > 0) {
          sb.append(' ');
        }
        sb.append(EN[(int) Math.min(EN.length - 1, Math.abs(random.nextGaussian()) * EN.length / 2.5)]);
      }
    }
    return sb.append(chinese ? "。" : ".").toString();
  }
}
