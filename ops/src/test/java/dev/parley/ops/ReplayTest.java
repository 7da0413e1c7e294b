package dev.parley.ops;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.parley.core.common.Caller;
import dev.parley.core.conversation.Conversation;
import dev.parley.persistence.config.PersistenceSettings;
import dev.parley.persistence.testing.TestDatabases;
import dev.parley.persistence.testing.Journals;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.pattern.StatusReply;
import org.junit.jupiter.api.Test;

class ReplayTest {

  @Test
  void printsEveryEventOfAConversationFromTheJournal() throws Exception {
    PersistenceSettings storage = TestDatabases.freshPostgres();
    String id = UUID.randomUUID().toString();
    Caller visitor = Caller.visitor("demo", "v-1");
    Caller agent = Caller.agent("a-1", Set.of("demo"));
    ActorTestKit kit = ActorTestKit.create("writer", Journals.migratedLocalConfig(storage));
    try {
      ActorRef<Conversation.Command> c = kit.spawn(Conversation.create(id, Clock.systemUTC()));
      ReplayTest.<StatusReply<Conversation.Posted>>ask(
          kit, c, r -> new Conversation.PostMessage(visitor, "m-1", "Hello \u001b[31mred\u001b[0m \"tea\"", true, r));
      ReplayTest.<StatusReply<Conversation.Claimed>>ask(kit, c, r -> new Conversation.Claim(agent, r));
      ReplayTest.<StatusReply<Conversation.Posted>>ask(kit, c, r -> new Conversation.PostMessage(agent, "m-2", "你好！", r));
      ReplayTest.<StatusReply<org.apache.pekko.Done>>ask(kit, c, r -> new Conversation.MarkRead(visitor, 3, r));
      ReplayTest.<StatusReply<Conversation.Ended>>ask(kit, c, r -> new Conversation.Close(agent, r));
    } finally {
      kit.shutdownTestKit();
    }

    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int status = Replay.run(new String[] {id}, configFor(storage), print(out), print(err));

    String printed = out.toString(StandardCharsets.UTF_8);
    assertThat(status).as(err.toString(StandardCharsets.UTF_8)).isZero();
    assertThat(printed.lines().toList())
        .hasSize(7)
        .satisfies(lines -> {
          assertThat(lines.get(0)).contains(id).contains("6 events");
          assertThat(lines.get(1)).contains("opened").contains("site=demo").contains("visitor=v-1");
          assertThat(lines.get(2)).contains("message  seq=1 visitor:v-1 id=\"m-1\"")
              .contains("text=\"Hello \\u001b[31mred\\u001b[0m \\\"tea\\\"\"");
          assertThat(lines.get(3)).contains("joined   seq=2 agent:a-1");
          assertThat(lines.get(4)).contains("message  seq=3 agent:a-1").contains("\"你好！\"");
          assertThat(lines.get(5)).contains("read     visitor:v-1 up to seq 3");
          assertThat(lines.get(6)).contains("closed   seq=4 by agent:a-1");
        });
    assertThat(printed).doesNotContain("\u001b");
  }

  @Test
  void anUnknownConversationIsReportedWithItsOwnExitStatus() {
    PersistenceSettings storage = TestDatabases.freshPostgres();
    Journals.migratedLocalConfig(storage);
    ByteArrayOutputStream err = new ByteArrayOutputStream();

    int status = Replay.run(new String[] {"nope"}, configFor(storage), print(new ByteArrayOutputStream()), print(err));

    assertThat(status).isEqualTo(Replay.NOT_FOUND);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("no events for conversation nope");
  }

  @Test
  void badArgumentsPrintUsage() {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int status = Replay.run(new String[] {"../../etc/passwd"}, ConfigFactory.load(), print(new ByteArrayOutputStream()), print(err));
    assertThat(status).isEqualTo(64);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("usage: replay <conversation-id>");
  }

  private static Config configFor(PersistenceSettings storage) {
    Map<String, Object> db = new HashMap<>();
    db.put("parley.persistence.database.kind", "postgresql");
    db.put("parley.persistence.database.url", storage.jdbcUrl());
    db.put("parley.persistence.database.user", storage.user());
    db.put("parley.persistence.database.password", storage.password());
    return ConfigFactory.parseMap(db).withFallback(ConfigFactory.load());
  }

  private static PrintStream print(ByteArrayOutputStream bytes) {
    return new PrintStream(bytes, true, StandardCharsets.UTF_8);
  }

  private static <R> R ask(
      ActorTestKit kit,
      ActorRef<Conversation.Command> c,
      org.apache.pekko.japi.function.Function<ActorRef<R>, Conversation.Command> message)
      throws Exception {
    R reply = AskPattern.ask(c, message::apply, Duration.ofSeconds(10), kit.scheduler())
        .toCompletableFuture()
        .get(11, TimeUnit.SECONDS);
    if (reply instanceof StatusReply<?> status) {
      assertThat(status.isSuccess()).as("%s", status).isTrue();
    }
    return reply;
  }
}
