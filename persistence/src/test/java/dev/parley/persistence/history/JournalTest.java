package dev.parley.persistence.history;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.Config;
import dev.parley.core.common.Caller;
import dev.parley.core.conversation.Conversation;
import dev.parley.core.conversation.Entry;
import dev.parley.persistence.config.PersistenceSettings;
import dev.parley.persistence.testing.TestDatabases;
import dev.parley.persistence.testing.Journals;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.japi.function.Function;
import org.apache.pekko.pattern.StatusReply;
import org.junit.jupiter.api.Test;

/** The real journal plugin on each real database: write, stop the actor system, start another, recover. */
class JournalTest {

  private static final Duration ASK = Duration.ofSeconds(10);

  @Test
  void aConversationRecoversHistorySeqAndDeduplicationInANewActorSystem()
      throws Exception {
    PersistenceSettings settings = TestDatabases.freshPostgres();
    Config config = Journals.migratedLocalConfig(settings);
    String id = UUID.randomUUID().toString();
    Caller visitor = Caller.visitor("shop", "v-" + id);
    Caller agent = Caller.agent("agent-1", Set.of("shop"));
    int messages = Conversation.MAX_TAIL_ENTRIES + 60;

    ActorTestKit first = ActorTestKit.create("first", config);
    long dupSeq;
    try {
      ActorRef<Conversation.Command> conversation = spawn(first, id);
      for (int i = 1; i < messages; i++) {
        assertThat(post(first, conversation, visitor, "m-" + i).seq()).isEqualTo(i);
      }
      dupSeq = post(first, conversation, visitor, "resent").seq();
      StatusReply<Conversation.Claimed> claimed =
          ask(first, conversation, replyTo -> new Conversation.Claim(agent, replyTo));
      assertThat(claimed.getValue().seq()).isEqualTo(messages + 1);
    } finally {
      first.shutdownTestKit();
    }

    ActorTestKit second = ActorTestKit.create("second", config);
    try {
      ActorRef<Conversation.Command> conversation = spawn(second, id);
      Conversation.Posted repeat = post(second, conversation, visitor, "resent");
      assertThat(repeat.duplicate()).isTrue();
      assertThat(repeat.seq()).isEqualTo(dupSeq);
      StatusReply<Conversation.Posted> reply =
          ask(
              second,
              conversation,
              replyTo -> new Conversation.PostMessage(agent, "a-1", "after the restart", replyTo));
      assertThat(reply.getValue().seq()).isEqualTo(messages + 2);

      TestProbe<Conversation.Notification> probe = second.createTestProbe();
      StatusReply<Conversation.Subscribed> subscribed =
          ask(second, conversation, replyTo -> new Conversation.Subscribe(visitor, probe.getRef(), 0, replyTo));
      long missing = subscribed.getValue().missingUpToSeq();
      assertThat(missing).isEqualTo(messages + 2 - Conversation.MAX_TAIL_ENTRIES);

      JournalConversationHistory history = new JournalConversationHistory(second.system());
      List<Entry> older =
          history.entries(id, 0, missing).toCompletableFuture().get(10, TimeUnit.SECONDS);
      assertThat(older).extracting(Entry::seq).containsExactlyElementsOf(range(1, missing));
      assertThat(older.get(0).text()).isEqualTo("text m-1");
      List<Entry> middle = history.entries(id, 10, 12).toCompletableFuture().get(10, TimeUnit.SECONDS);
      assertThat(middle).extracting(Entry::seq).containsExactly(11L, 12L);
    } finally {
      second.shutdownTestKit();
    }
  }

  private static List<Long> range(long from, long to) {
    return java.util.stream.LongStream.rangeClosed(from, to).boxed().toList();
  }

  private static ActorRef<Conversation.Command> spawn(ActorTestKit kit, String id) {
    return kit.spawn(Conversation.create(id, Clock.systemUTC()));
  }

  private static Conversation.Posted post(
      ActorTestKit kit, ActorRef<Conversation.Command> c, Caller caller, String clientMessageId)
      throws Exception {
    StatusReply<Conversation.Posted> reply =
        ask(
            kit,
            c,
            replyTo -> new Conversation.PostMessage(
                    caller, clientMessageId, "text " + clientMessageId, caller.isVisitor(), replyTo));
    assertThat(reply.isSuccess()).as("post %s: %s", clientMessageId, reply).isTrue();
    return reply.getValue();
  }

  private static <R> R ask(
      ActorTestKit kit,
      ActorRef<Conversation.Command> c,
      Function<ActorRef<R>, Conversation.Command> message)
      throws Exception {
    return AskPattern.ask(c, message::apply, ASK, kit.scheduler())
        .toCompletableFuture()
        .get(ASK.toSeconds() + 1, TimeUnit.SECONDS);
  }
}
