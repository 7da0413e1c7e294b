package dev.parley.core.dispatcher;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import dev.parley.core.common.JournalGate;
import dev.parley.core.routing.RoutingHints;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.apache.pekko.Done;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.apache.pekko.persistence.testkit.javadsl.PersistenceTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A site's Dispatcher answers the questions of arriving visitors while its queue writes wait on a slow journal:
 * the burst of new conversations that overflowed its stash in the benchmark (docs/BENCHMARKS.md).
 */
class DispatcherQueriesTest {

  private static final Duration WITHIN = Duration.ofSeconds(5);
  private static final ActorTestKit testKit =
      ActorTestKit.create(EventSourcedBehaviorTestKit.config().withFallback(ConfigFactory.load()));
  private static final PersistenceTestKit journal = PersistenceTestKit.create(testKit.system());
  private JournalGate gate;

  @AfterEach
  void openJournal() {
    if (gate != null) {
      gate.open();
    }
    journal.resetPolicy();
  }

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  @Test
  void waitingCountsAvailabilityAndPositionsAreAnsweredWhileQueueEntriesAreBeingWritten() {
    ActorRef<Dispatcher.Command> dispatcher = testKit.spawn(Dispatcher.create("site-" + UUID.randomUUID()));
    TestProbe<Integer> counts = testKit.createTestProbe();
    dispatcher.tell(new Dispatcher.CountWaiting("k1", counts.getRef()));
    assertThat(counts.receiveMessage(WITHIN)).as("recovered and configured").isZero();

    gate = new JournalGate();
    journal.withPolicy(gate);
    TestProbe<Done> enqueued = testKit.createTestProbe();
    for (int i = 0; i < 50; i++) {
      dispatcher.tell(new Dispatcher.Enqueue(
          "c" + i, "v" + i, Instant.now(), new RoutingHints(null, null, "k1"), enqueued.getRef()));
    }
    TestProbe<Dispatcher.Availability> availability = testKit.createTestProbe();
    dispatcher.tell(new Dispatcher.CountWaiting("k1", counts.getRef()));
    dispatcher.tell(new Dispatcher.GetAvailability(availability.getRef()));

    // The first entry is being written (pekko has applied it); the other 49 wait their turn in the stash.
    assertThat(counts.receiveMessage(WITHIN)).isEqualTo(1);
    assertThat(availability.receiveMessage(WITHIN).status()).isEqualTo(Dispatcher.Availability.NO_AGENTS);
    enqueued.expectNoMessage(Duration.ofMillis(200));

    gate.open();
    for (int i = 0; i < 50; i++) {
      enqueued.receiveMessage(WITHIN);
    }
    dispatcher.tell(new Dispatcher.CountWaiting("k1", counts.getRef()));
    assertThat(counts.receiveMessage(WITHIN)).isEqualTo(50);
  }
}
