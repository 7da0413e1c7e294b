package dev.parley.core.visitor;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import java.time.Clock;
import java.util.UUID;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class VisitorTest {

  private static final ActorTestKit testKit =
      ActorTestKit.create(EventSourcedBehaviorTestKit.config().withFallback(ConfigFactory.load()));

  private EventSourcedBehaviorTestKit<Visitor.Command, Visitor.Event, Visitor.State> kit;

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  @BeforeEach
  void freshVisitor() {
    kit =
        EventSourcedBehaviorTestKit.create(
            testKit.system(),
            Visitor.create(Visitor.entityId("shop", UUID.randomUUID().toString()), Clock.systemUTC()));
  }

  private EventSourcedBehaviorTestKit.CommandResultWithReply<
          Visitor.Command, Visitor.Event, Visitor.State, StatusReply<String>>
      ensure(String stale) {
    return kit.runCommand(replyTo -> new Visitor.EnsureConversation(stale, replyTo));
  }

  @Test
  void repeatedRequestsGetTheSameOpenConversation() {
    var first = ensure(null);
    var second = ensure(null);

    assertThat(first.reply().getValue()).isNotBlank();
    assertThat(second.reply().getValue()).isEqualTo(first.reply().getValue());
    assertThat(second.hasNoEvents()).isTrue();
  }

  @Test
  void aStaleConversationIsReplacedOnceAndArchived() {
    String old = ensure(null).reply().getValue();

    var replaced = ensure(old);
    var again = ensure(old);

    assertThat(replaced.reply().getValue()).isNotEqualTo(old);
    assertThat(again.reply().getValue()).isEqualTo(replaced.reply().getValue());
    assertThat(kit.getState().pastConversationIds()).containsExactly(old);
  }

  @Test
  void aClosedNoteEndsTheCurrentConversationAndSurvivesRestart() {
    String first = ensure(null).reply().getValue();

    kit.runCommand(new Visitor.NoteConversationClosed(first));
    kit.runCommand(new Visitor.NoteConversationClosed(first));
    var restarted = kit.restart();

    assertThat(restarted.state().currentConversationId()).isNull();
    assertThat(restarted.state().pastConversationIds()).containsExactly(first);
    assertThat(ensure(null).reply().getValue()).isNotEqualTo(first);
  }

  @Test
  void presenceFollowsOpenSessionsAndIsNotPersisted() {
    TestProbe<Object> session = testKit.createTestProbe();
    var connected = kit.runCommand(new Visitor.Connected(session.getRef()));
    var online =
        kit.<Visitor.Profile>runCommand(replyTo -> new Visitor.GetProfile(replyTo)).reply();

    session.stop();
    testKit.createTestProbe().awaitAssert(
        () -> {
          Visitor.Profile p =
              kit.<Visitor.Profile>runCommand(replyTo -> new Visitor.GetProfile(replyTo)).reply();
          assertThat(p.online()).isFalse();
          return null;
        });

    assertThat(connected.hasNoEvents()).isTrue();
    assertThat(online.online()).isTrue();
  }
}
