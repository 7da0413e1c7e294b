package dev.parley.edge.durability;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.edge.testing.ChatClient;
import dev.parley.edge.testing.ServerProcess;
import dev.parley.edge.testing.WireClient;
import dev.parley.persistence.config.PersistenceSettings;
import dev.parley.persistence.testing.TestDatabases;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Parley's first promise under the worst timing: the server is killed with SIGKILL while it commits, over and over
 * on the data each earlier kill left behind, and nothing it acknowledged is lost, doubled or renumbered.
 *
 * <p>Visitors that follow docs/PROTOCOL.md (outbox, resend with the same ids, resume after their last seq) write
 * continuously to their own conversations, a few messages in flight each: hundreds of messages per second. The
 * server process is killed at a random moment during that load, and for the last kills seconds after the last
 * acknowledgement, then started again on the same database and port; the clients reconnect by themselves. At
 * the end every acknowledgement must be in the journal at its seq exactly once, and no seq may ever have shown two
 * different entries to any client. Runs on the install's embedded default and on a PostgreSQL server.
 */
class KilledDuringLoadTest {

  private static final int VISITORS = Integer.getInteger("parley.kill-test.visitors", 60);
  private static final int IN_FLIGHT_PER_VISITOR = 3;
  /** Kills per run; {@code -Dparley.kill-test.kills=N} for longer runs by hand. */
  private static final int KILLS = Integer.getInteger("parley.kill-test.kills", 10);
  /** The last kills come after the load stopped and every ack arrived: they hit a quiet database. */
  private static final int QUIET_KILLS = 3;
  /** Load before each kill: half a second plus up to this long. */
  private static final int MAX_LOAD_MILLIS = Integer.getInteger("parley.kill-test.max-load-millis", 3_500);
  private static final Duration START_WITHIN = Duration.ofSeconds(90);
  private static final Duration WAIT = Duration.ofSeconds(90);

  enum Install {
    /** What {@code java -jar parley-server.jar} runs with no configuration at all. */
    EMBEDDED_DEFAULT,
    /** An operator's PostgreSQL server. */
    POSTGRESQL
  }

  @ParameterizedTest
  @EnumSource(Install.class)
  void acknowledgedMessagesSurviveRepeatedKillsWhileCommitting(Install install) throws Exception {
    long seed = System.nanoTime();
    Random random = new Random(seed);
    Path dataDir = Path.of("target", "killed-during-load", install.name().toLowerCase() + "-" + UUID.randomUUID());
    Files.createDirectories(dataDir);
    Path log = dataDir.resolve("server.log");
    Map<String, String> env = environment(install);
    int port = ServerProcess.freePort();
    System.out.printf("KilledDuringLoadTest %s: seed %d, data %s%n", install, seed, dataDir.toAbsolutePath());

    ServerProcess server = ServerProcess.start(dataDir, port, env, log, START_WITHIN);
    List<ChatClient> visitors = new ArrayList<>();
    AtomicBoolean pumping = new AtomicBoolean(true);
    Thread pump = null;
    try {
      for (int i = 0; i < VISITORS; i++) {
        visitors.add(ChatClient.visitor(server.visitorUri("demo"), server.origin(), null));
      }
      for (ChatClient visitor : visitors) {
        visitor.awaitState(ChatClient::isReady, WAIT);
      }
      pump = startPump(visitors, pumping);
      long started = System.nanoTime();
      List<String> kills = new ArrayList<>();
      for (int kill = 1; kill <= KILLS; kill++) {
        boolean quiet = kill > KILLS - QUIET_KILLS;
        int before = acks(visitors);
        awaitCondition(() -> acks(visitors) >= before + 20, "acks flowing after restart " + (kill - 1));
        long loadStarted = System.nanoTime();
        int loadStartAcks = acks(visitors);
        // Load runs for a random while, so that kills land at any moment of the database's write cycle.
        TimeUnit.MILLISECONDS.sleep(500 + random.nextInt(MAX_LOAD_MILLIS));
        double rate = (acks(visitors) - loadStartAcks) / ((System.nanoTime() - loadStarted) / 1e9);
        long delayMillis = 0;
        if (quiet) {
          pumping.set(false);
          awaitCondition(() -> outboxes(visitors) == 0, "every message acknowledged before a quiet kill");
          delayMillis = 1_000 + random.nextInt(3_000);
          // The point of a quiet kill is the time since the last ack: waiting is what is tested here.
          TimeUnit.MILLISECONDS.sleep(delayMillis);
        }
        int acksAtKill = acks(visitors);
        // Every other kill spares the embedded database server: the next start finds it orphaned.
        boolean withDatabase = kill % 2 == 0;
        server.kill(withDatabase);
        kills.add(
            String.format(
                "%s%s %.0f/s +%dms @%d", quiet ? "quiet" : "load", withDatabase ? "" : " (node only)", rate,
                delayMillis, acksAtKill));
        server = ServerProcess.start(dataDir, port, env, log, START_WITHIN);
        pumping.set(true);
      }
      int beforeEnd = acks(visitors);
      awaitCondition(() -> acks(visitors) >= beforeEnd + 100, "acks flowing after the last restart");
      pumping.set(false);
      awaitCondition(() -> outboxes(visitors) == 0, "every message acknowledged at the end");
      double seconds = (System.nanoTime() - started) / 1e9;
      System.out.printf(
          "KilledDuringLoadTest %s: %d acks in %.1f s (%.0f/s) across %d kills %s%n",
          install, acks(visitors), seconds, acks(visitors) / seconds, KILLS, kills);

      // No seq ever showed two different entries, to any client, whether by event or by ack.
      Map<String, Set<String>> seen = new HashMap<>();
      for (ChatClient visitor : visitors) {
        for (ChatClient.Observed o : visitor.observed()) {
          seen.computeIfAbsent(o.conversationId() + "#" + o.seq(), k -> new HashSet<>()).add(o.identity());
        }
      }
      List<String> contradictions =
          seen.entrySet().stream().filter(e -> e.getValue().size() > 1).map(e -> e + "").sorted().toList();
      assertThat(contradictions).as("seqs that showed two different entries").isEmpty();
      for (ChatClient visitor : visitors) {
        assertThat(visitor.conflicts()).as("broken histories a client had to repair").isEmpty();
      }

      // Every ack is in the journal at its seq, exactly once, read back by a fresh connection from seq 0.
      for (ChatClient visitor : visitors) {
        verifyJournal(server, visitor);
      }
    } finally {
      pumping.set(false);
      if (pump != null) {
        pump.interrupt();
      }
      visitors.forEach(ChatClient::close);
      server.stop();
    }
  }

  private static Map<String, String> environment(Install install) {
    if (install == Install.EMBEDDED_DEFAULT) {
      return Map.of();
    }
    PersistenceSettings pg = TestDatabases.freshPostgres();
    return Map.of(
        "PARLEY_DB", "postgresql",
        "PARLEY_DB_URL", pg.jdbcUrl(),
        "PARLEY_DB_USER", pg.user(),
        "PARLEY_DB_PASSWORD", pg.password());
  }

  /** Keeps a few messages in flight per visitor while {@code pumping}; the clients resend across kills. */
  private static Thread startPump(List<ChatClient> visitors, AtomicBoolean pumping) {
    Thread pump =
        new Thread(
            () -> {
              long n = 0;
              while (!Thread.currentThread().isInterrupted()) {
                if (pumping.get()) {
                  for (ChatClient visitor : visitors) {
                    if (visitor.isReady() && visitor.outboxSize() < IN_FLIGHT_PER_VISITOR) {
                      visitor.send(null, "message " + (++n));
                    }
                  }
                }
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(2));
              }
            },
            "load-pump");
    pump.setDaemon(true);
    pump.start();
    return pump;
  }

  private static void verifyJournal(ServerProcess server, ChatClient visitor) {
    Map<String, JsonNode> acks = visitor.acks();
    String conversationId = visitor.currentConversationId();
    assertThat(conversationId).isNotNull();
    TreeMap<Long, String> stored = new TreeMap<>();
    try (WireClient reader = WireClient.connect(server.visitorUri("demo"), server.origin())) {
      ObjectNode hello = WireClient.frame("hello").put("token", visitor.token());
      hello.putObject("resume").put(conversationId, 0);
      reader.send(hello);
      reader.awaitType("welcome", WAIT);
      JsonNode synced =
          reader.await(
              f -> "synced".equals(f.path("type").asText()) && conversationId.equals(f.path("conversationId").asText()),
              WAIT);
      for (JsonNode event : reader.all()) {
        if ("event".equals(event.path("type").asText())) {
          String previous = stored.put(event.path("seq").asLong(), event.path("id").asText());
          assertThat(previous).as("seq %d sent twice", event.path("seq").asLong()).isNull();
        }
      }
      assertThat(synced.path("lastSeq").asLong()).isEqualTo(stored.isEmpty() ? 0 : stored.lastKey());
    }
    assertThat(stored.keySet()).as("seqs without gaps").containsExactlyElementsOf(range(stored.size()));
    assertThat(new HashSet<>(stored.values())).as("each message once").hasSize(stored.size());
    for (JsonNode ack : acks.values()) {
      if (conversationId.equals(ack.path("conversationId").asText())) {
        assertThat(stored.get(ack.path("seq").asLong()))
            .as("acknowledged %s at seq %d", ack.path("id").asText(), ack.path("seq").asLong())
            .isEqualTo(ack.path("id").asText());
      }
    }
  }

  private static List<Long> range(int n) {
    List<Long> seqs = new ArrayList<>(n);
    for (long i = 1; i <= n; i++) {
      seqs.add(i);
    }
    return seqs;
  }

  private static int acks(List<ChatClient> visitors) {
    return visitors.stream().mapToInt(v -> v.acks().size()).sum();
  }

  private static int outboxes(List<ChatClient> visitors) {
    return visitors.stream().mapToInt(ChatClient::outboxSize).sum();
  }

  private static void awaitCondition(BooleanSupplier condition, String what) {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not within " + WAIT + ": " + what);
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
    }
  }
}
