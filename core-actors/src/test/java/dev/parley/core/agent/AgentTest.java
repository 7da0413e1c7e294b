package dev.parley.core.agent;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import java.time.Clock;
import java.util.UUID;
import org.apache.pekko.Done;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class AgentTest {

  private static final ActorTestKit testKit =
      ActorTestKit.create(EventSourcedBehaviorTestKit.config().withFallback(ConfigFactory.load()));

  private EventSourcedBehaviorTestKit<Agent.Command, Agent.Event, Agent.State> kit;

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  @BeforeEach
  void freshAgent() {
    kit =
        EventSourcedBehaviorTestKit.create(
            testKit.system(), Agent.create("agent-" + UUID.randomUUID(), Clock.systemUTC()));
  }

  @Test
  void assignmentsAndStatusSurviveRestartButConnectionsDoNot() {
    TestProbe<Object> session = testKit.createTestProbe();
    TestProbe<Agent.SessionEnded> notices = testKit.createTestProbe();
    kit.<Agent.Snapshot>runCommand(replyTo -> new Agent.Connect(session.getRef(), 1L, notices.getRef(), replyTo));
    kit.runCommand(new Agent.NoteAssigned("c1"));
    kit.runCommand(new Agent.NoteAssigned("c2"));
    kit.runCommand(new Agent.NoteAssigned("c1"));
    kit.runCommand(new Agent.NoteReleased("c1"));
    kit.<StatusReply<Done>>runCommand(replyTo -> new Agent.SetStatus(Agent.Status.AWAY, replyTo));

    kit.restart();

    Agent.Snapshot after = kit.<Agent.Snapshot>runCommand(Agent.Get::new).reply();
    assertThat(after.activeConversationIds()).containsExactly("c2");
    assertThat(after.status()).isEqualTo(Agent.Status.AWAY);
    assertThat(after.openConnections()).isZero();
  }

  @Test
  void repeatedNotesPersistNothing() {
    kit.runCommand(new Agent.NoteAssigned("c1"));

    var repeat = kit.runCommand(new Agent.NoteAssigned("c1"));
    var unknownRelease = kit.runCommand(new Agent.NoteReleased("nope"));

    assertThat(repeat.hasNoEvents()).isTrue();
    assertThat(unknownRelease.hasNoEvents()).isTrue();
  }

  @Test
  void endingSessionsTellsEveryOlderConnectionAndSurvivesRestart() {
    TestProbe<Object> oldSession = testKit.createTestProbe();
    TestProbe<Agent.SessionEnded> oldNotices = testKit.createTestProbe();
    TestProbe<Object> newSession = testKit.createTestProbe();
    TestProbe<Agent.SessionEnded> newNotices = testKit.createTestProbe();
    kit.<Agent.Snapshot>runCommand(r -> new Agent.Connect(oldSession.getRef(), 1L, oldNotices.getRef(), r));
    kit.<Agent.Snapshot>runCommand(r -> new Agent.Connect(newSession.getRef(), 2L, newNotices.getRef(), r));

    var ended = kit.<StatusReply<Done>>runCommand(r -> new Agent.EndSessions(2L, r));

    assertThat(ended.reply().isSuccess()).isTrue();
    assertThat(ended.event()).isInstanceOf(Agent.AccessRevoked.class);
    assertThat(oldNotices.receiveMessage().reason()).isEqualTo(Agent.SessionEnded.Reason.ACCESS_CHANGED);
    newNotices.expectNoMessage(java.time.Duration.ofMillis(100));
    assertThat(kit.<Agent.Snapshot>runCommand(Agent.Get::new).reply().openConnections()).isEqualTo(1);

    kit.restart();
    // A hello that read the account before the change registers late, with the old version: ended on arrival.
    TestProbe<Agent.SessionEnded> lateNotices = testKit.createTestProbe();
    kit.runCommand(new Agent.KeepConnected(testKit.createTestProbe().getRef(), 1L, lateNotices.getRef()));
    assertThat(lateNotices.receiveMessage().reason()).isEqualTo(Agent.SessionEnded.Reason.ACCESS_CHANGED);
    var again = kit.<StatusReply<Done>>runCommand(r -> new Agent.EndSessions(2L, r));
    assertThat(again.hasNoEvents()).isTrue();
  }

  @Test
  void connectionsBeyondTheCapEndTheOldest() {
    TestProbe<Agent.SessionEnded> first = testKit.createTestProbe();
    kit.<Agent.Snapshot>runCommand(r -> new Agent.Connect(testKit.createTestProbe().getRef(), 1L, first.getRef(), r));
    for (int i = 1; i < Agent.MAX_TRACKED_SESSIONS; i++) {
      kit.<Agent.Snapshot>runCommand(
          r -> new Agent.Connect(testKit.createTestProbe().getRef(), 1L, testKit.<Agent.SessionEnded>createTestProbe().getRef(), r));
    }
    first.expectNoMessage(java.time.Duration.ofMillis(50));

    var snapshot =
        kit.<Agent.Snapshot>runCommand(
            r -> new Agent.Connect(testKit.createTestProbe().getRef(), 1L, testKit.<Agent.SessionEnded>createTestProbe().getRef(), r));

    assertThat(first.receiveMessage().reason()).isEqualTo(Agent.SessionEnded.Reason.TOO_MANY_SESSIONS);
    assertThat(snapshot.reply().openConnections()).isEqualTo(Agent.MAX_TRACKED_SESSIONS);
  }
}
