package dev.parley.core.common;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import dev.parley.core.serialization.CborSerializable;
import java.time.Duration;
import java.util.UUID;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.apache.pekko.persistence.testkit.javadsl.PersistenceTestKit;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Queries answered while the entity's writes wait on a journal held shut, and what happens without the desk. */
class QueriesFirstTest {

  private static final ActorTestKit testKit =
      ActorTestKit.create(EventSourcedBehaviorTestKit.config().withFallback(ConfigFactory.load()));
  private static final PersistenceTestKit journal = PersistenceTestKit.create(testKit.system());

  sealed interface Command {}

  record Add(ActorRef<Long> replyTo) implements Command {}

  record Get(ActorRef<Long> replyTo) implements Command {}

  record Added() implements CborSerializable {}

  /** A counter: the state is mutable and the same instance from recovery on, as the Dispatcher's is. */
  static final class Count {
    long value;
  }

  static final class Counter extends EventSourcedBehavior<Command, Added, Count> {
    Count live;

    Counter(String id) {
      super(PersistenceId.of("Counter", id));
    }

    @Override
    public Count emptyState() {
      return new Count();
    }

    @Override
    public CommandHandler<Command, Added, Count> commandHandler() {
      return newCommandHandlerBuilder()
          .forAnyState()
          .onCommand(Add.class, (state, add) -> Effect().persist(new Added()).thenRun(s -> add.replyTo().tell(s.value)))
          .onCommand(Get.class, (state, get) -> Effect().none().thenRun(s -> get.replyTo().tell(s.value)))
          .build();
    }

    @Override
    public EventHandler<Count, Added> eventHandler() {
      return newEventHandlerBuilder().forAnyState().onEvent(Added.class, (state, e) -> {
        state.value++;
        return state;
      }).build();
    }

    @Override
    public SignalHandler<Count> signalHandler() {
      return newSignalHandlerBuilder().onSignal(RecoveryCompleted.instance(), state -> live = state).build();
    }

    boolean answered(Command command) {
      if (live != null && command instanceof Get get) {
        get.replyTo().tell(live.value);
        return true;
      }
      return false;
    }
  }

  private static Behavior<Command> counter(boolean queriesFirst) {
    String id = UUID.randomUUID().toString();
    return Behaviors.setup(ctx -> {
      Counter entity = new Counter(id);
      return queriesFirst ? QueriesFirst.wrap(Command.class, entity::answered, entity) : entity;
    });
  }

  private JournalGate gate;

  @AfterEach
  void openJournal() {
    if (gate != null) {
      gate.open(); // a failed test must not leave the journal's thread held for the next one
    }
    journal.resetPolicy();
  }

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  @Test
  void aQueryIsAnsweredWhileAWriteWaits() {
    gate = new JournalGate();
    journal.withPolicy(gate);
    ActorRef<Command> entity = testKit.spawn(counter(true));
    TestProbe<Long> writer = testKit.createTestProbe();
    TestProbe<Long> reader = testKit.createTestProbe();
    entity.tell(new Get(reader.getRef())); // recovered: until then every command waits, queries included
    assertThat(reader.receiveMessage(Duration.ofSeconds(5))).isZero();

    entity.tell(new Add(writer.getRef()));
    entity.tell(new Get(reader.getRef()));
    // Answered while the write waits; pekko applies an event to the state before its write is confirmed, so the
    // answer already counts it (the desk's documented contract: advisory reads only).
    assertThat(reader.receiveMessage(Duration.ofSeconds(5))).as("answered before the write").isEqualTo(1L);
    writer.expectNoMessage(Duration.ofMillis(100));

    gate.open();
    assertThat(writer.receiveMessage(Duration.ofSeconds(5))).isEqualTo(1L);
  }

  @Test
  void withoutTheDeskTheQueryWaitsBehindTheWrite() {
    gate = new JournalGate();
    journal.withPolicy(gate);
    ActorRef<Command> entity = testKit.spawn(counter(false));
    TestProbe<Long> writer = testKit.createTestProbe();
    TestProbe<Long> reader = testKit.createTestProbe();
    entity.tell(new Get(reader.getRef())); // recovered: until then every command waits, queries included
    assertThat(reader.receiveMessage(Duration.ofSeconds(5))).isZero();

    entity.tell(new Get(reader.getRef())); // recovered
    assertThat(reader.receiveMessage(Duration.ofSeconds(5))).isZero();

    entity.tell(new Add(writer.getRef()));
    entity.tell(new Get(reader.getRef()));
    reader.expectNoMessage(Duration.ofMillis(500));

    gate.open();
    assertThat(writer.receiveMessage(Duration.ofSeconds(5))).isEqualTo(1L);
    assertThat(reader.receiveMessage(Duration.ofSeconds(5))).isEqualTo(1L);
  }
}
