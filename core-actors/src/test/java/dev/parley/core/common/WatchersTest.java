package dev.parley.core.common;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** The watched-subscriber helper in a real actor: bounded, renewable, and forgetting stopped refs in every set. */
class WatchersTest {

  private static final ActorTestKit kit = ActorTestKit.create();

  @AfterAll
  static void stop() {
    kit.shutdownTestKit();
  }

  private sealed interface Msg {}

  private record AddA(ActorRef<String> ref, ActorRef<Boolean> replyTo) implements Msg {}

  private record AddB(ActorRef<String> ref) implements Msg {}

  private record RemoveA(ActorRef<String> ref) implements Msg {}

  private record Sizes(ActorRef<List<Integer>> replyTo) implements Msg {}

  private record Shout(String text) implements Msg {}

  private record Gone(ActorRef<?> ref) implements Msg {}

  /** An actor with two sets of at most two refs each, sharing one death watch. */
  private static Behavior<Msg> holder() {
    return Behaviors.setup(
        ctx -> {
          Watchers.DeathWatch watch = new Watchers.DeathWatch(ctx, Gone::new);
          Watchers<String, String> a = new Watchers<>(watch, 2);
          Watchers<String, String> b = new Watchers<>(watch, 2);
          return Behaviors.receive(Msg.class)
              .onMessage(AddA.class, m -> {
                m.replyTo().tell(a.add(m.ref(), "a"));
                return Behaviors.same();
              })
              .onMessage(AddB.class, m -> {
                b.add(m.ref(), "b");
                return Behaviors.same();
              })
              .onMessage(RemoveA.class, m -> {
                a.remove(m.ref());
                return Behaviors.same();
              })
              .onMessage(Shout.class, m -> {
                a.tellAll(m.text());
                return Behaviors.same();
              })
              .onMessage(Sizes.class, m -> {
                m.replyTo().tell(List.of(a.size(), b.size()));
                return Behaviors.same();
              })
              .onMessage(Gone.class, m -> {
                watch.stopped(m.ref());
                return Behaviors.same();
              })
              .build();
        });
  }

  private static List<Integer> sizes(ActorRef<Msg> holder) {
    TestProbe<List<Integer>> reply = kit.createTestProbe();
    holder.tell(new Sizes(reply.ref()));
    return reply.receiveMessage();
  }

  @Test
  void aStoppedRefIsForgottenByEverySetThatHeldIt() {
    ActorRef<Msg> holder = kit.spawn(holder());
    TestProbe<String> shared = kit.createTestProbe();
    TestProbe<Boolean> added = kit.createTestProbe();
    holder.tell(new AddA(shared.ref(), added.ref()));
    holder.tell(new AddB(shared.ref())); // the same ref in a second set: watched once, no error
    assertThat(added.receiveMessage()).isTrue();
    assertThat(sizes(holder)).containsExactly(1, 1);

    shared.stop();
    TestProbe<List<Integer>> reply = kit.createTestProbe();
    reply.awaitAssert(Duration.ofSeconds(5), () -> {
      assertThat(sizes(holder)).containsExactly(0, 0);
      return null;
    });
  }

  @Test
  void aFullSetRefusesNewcomersButRenewsMembers() {
    ActorRef<Msg> holder = kit.spawn(holder());
    TestProbe<Boolean> added = kit.createTestProbe();
    TestProbe<String> one = kit.createTestProbe();
    TestProbe<String> two = kit.createTestProbe();
    TestProbe<String> three = kit.createTestProbe();
    holder.tell(new AddA(one.ref(), added.ref()));
    holder.tell(new AddA(two.ref(), added.ref()));
    holder.tell(new AddA(three.ref(), added.ref()));
    holder.tell(new AddA(one.ref(), added.ref()));
    assertThat(List.of(added.receiveMessage(), added.receiveMessage(), added.receiveMessage(), added.receiveMessage()))
        .containsExactly(true, true, false, true);

    holder.tell(new Shout("hello"));
    assertThat(one.receiveMessage()).isEqualTo("hello");
    assertThat(two.receiveMessage()).isEqualTo("hello");
    three.expectNoMessage(Duration.ofMillis(100));

    holder.tell(new RemoveA(one.ref()));
    holder.tell(new AddA(three.ref(), added.ref()));
    assertThat(added.receiveMessage()).as("room again after a removal").isTrue();
  }
}
