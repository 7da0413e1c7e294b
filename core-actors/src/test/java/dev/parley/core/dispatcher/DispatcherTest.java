package dev.parley.core.dispatcher;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import java.time.Instant;
import java.util.UUID;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class DispatcherTest {

  private static final ActorTestKit testKit =
      ActorTestKit.create(EventSourcedBehaviorTestKit.config().withFallback(ConfigFactory.load()));

  private EventSourcedBehaviorTestKit<Dispatcher.Command, Dispatcher.Event, Dispatcher.State> kit;

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  @BeforeEach
  void freshSite() {
    kit =
        EventSourcedBehaviorTestKit.create(
            testKit.system(),
            Dispatcher.create("site-" + UUID.randomUUID()),
            EventSourcedBehaviorTestKit.enabledSerializationSettings().withVerifyState(false));
  }

  @Test
  void repeatedAnnouncementsQueueAConversationOnceInArrivalOrder() {
    kit.runCommand(new Dispatcher.Enqueue("c1", "v1", Instant.parse("2026-11-23T10:00:00Z")));
    kit.runCommand(new Dispatcher.Enqueue("c2", "v2", Instant.parse("2026-11-23T10:01:00Z")));
    var repeat = kit.runCommand(new Dispatcher.Enqueue("c1", "v1", Instant.parse("2026-11-23T10:00:00Z")));

    var view = kit.<Dispatcher.QueueView>runCommand(Dispatcher.GetQueue::new).reply();

    assertThat(repeat.hasNoEvents()).isTrue();
    assertThat(Dispatcher.ids(view)).containsExactly("c1", "c2");
  }

  @Test
  void watchersSeeEveryChange() {
    TestProbe<Dispatcher.QueueView> watcher = testKit.createTestProbe();
    kit.runCommand(new Dispatcher.Watch(watcher.getRef()));
    assertThat(watcher.receiveMessage().waiting()).isEmpty();

    kit.runCommand(new Dispatcher.Enqueue("c1", "v1", Instant.now()));
    assertThat(Dispatcher.ids(watcher.receiveMessage())).containsExactly("c1");

    kit.runCommand(new Dispatcher.Remove("c1"));
    assertThat(watcher.receiveMessage().waiting()).isEmpty();
  }

  @Test
  void theQueueSurvivesRestartThroughSnapshots() {
    for (int i = 0; i < 450; i++) {
      kit.runCommand(new Dispatcher.Enqueue("c" + i, "v" + i, Instant.now()));
      if (i % 2 == 0) {
        kit.runCommand(new Dispatcher.Remove("c" + i));
      }
    }

    kit.restart();

    var view = kit.<Dispatcher.QueueView>runCommand(Dispatcher.GetQueue::new).reply();
    assertThat(view.waiting()).hasSize(225);
    assertThat(view.waiting().get(0).conversationId()).isEqualTo("c1");
    assertThat(view.waiting().get(224).conversationId()).isEqualTo("c449");
  }
}
