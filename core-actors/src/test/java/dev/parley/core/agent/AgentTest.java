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
    kit.<Agent.Snapshot>runCommand(replyTo -> new Agent.Connect(session.getRef(), replyTo));
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
}
