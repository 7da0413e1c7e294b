package dev.parley.core.dispatcher;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import dev.parley.core.agent.Agent;
import dev.parley.core.common.Caller;
import dev.parley.core.conversation.Conversation;
import dev.parley.core.routing.Policy;
import dev.parley.core.routing.SiteRouting;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.cluster.sharding.ShardRegion;
import org.apache.pekko.cluster.sharding.typed.ClusterShardingSettings;
import org.apache.pekko.cluster.sharding.typed.GetShardRegionState;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.testkit.PersistenceTestKitSnapshotPlugin;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.apache.pekko.persistence.testkit.javadsl.PersistenceTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Auto-close works with nobody connected: the conversation has passivated (sharding stops idle entities, here
 * after one second) and no session talks to anything; the site's dispatcher, which does not passivate, runs its
 * tick, tells the conversation through sharding, and the conversation starts again from the journal and closes.
 * The dispatcher's clock is the test's (so that its 30-second check comes at once); the conversation's is real.
 */
class AutoCloseWhilePassivatedTest {

  private static final Duration IDLE_TIMEOUT = Duration.ofSeconds(1);
  private static final Duration AUTO_CLOSE_AFTER = Duration.ofSeconds(2);
  private static final Duration WITHIN = Duration.ofSeconds(10);

  private static final ActorTestKit testKit =
      ActorTestKit.create(
          "auto-close-passivated",
          ConfigFactory.parseString(
                  "pekko.actor.provider = cluster\n"
                      + "pekko.remote.artery.canonical.port = 0\n"
                      + "pekko.cluster.sharding.passivation.default-idle-strategy.idle-entity.timeout = "
                      + IDLE_TIMEOUT.toMillis() + "ms\n")
              .withFallback(PersistenceTestKitSnapshotPlugin.config())
              .withFallback(EventSourcedBehaviorTestKit.config())
              .withFallback(ConfigFactory.load()));

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  @Test
  void anIdleChatWhoseConversationPassivatedIsClosedByTheDispatchersTick() throws Exception {
    Cluster cluster = Cluster.get(testKit.system());
    cluster.manager().tell(Join.create(cluster.selfMember().address()));
    ClusterSharding sharding = ClusterSharding.get(testKit.system());
    Conversation.init(testKit.system());
    Agent.init(testKit.system());
    RoutingFixture.ManualClock dispatcherClock = new RoutingFixture.ManualClock(Instant.now());
    String site = "site-" + UUID.randomUUID();
    RoutingFixture.Config config =
        new RoutingFixture.Config(
            new SiteRouting(site, Policy.MANUAL, Duration.ofSeconds(30), 2, Map.of(), List.of(), List.of(), null,
                null, AUTO_CLOSE_AFTER));
    // As Dispatcher.init registers it (a remembered entity), with the test's clock and a quick tick.
    sharding.init(
        Entity.of(
                Dispatcher.ENTITY_KEY,
                ctx ->
                    Dispatcher.create(
                        ctx.getEntityId(), config, new ShardedDispatcherPeers(sharding), dispatcherClock,
                        Duration.ofMillis(100)))
            .withSettings(
                ClusterShardingSettings.create(testKit.system())
                    .withRememberEntities(true)
                    .withRememberEntitiesStoreMode(ClusterShardingSettings.rememberEntitiesStoreModeEventSourced())));

    String id = "c-" + UUID.randomUUID();
    Caller visitor = Caller.visitor(site, "v-1");
    Caller agent = Caller.agent("a-1", Set.of(site));
    TestProbe<StatusReply<Conversation.Posted>> posted = testKit.createTestProbe();
    sharding.entityRefFor(Conversation.ENTITY_KEY, id)
        .tell(new Conversation.PostMessage(visitor, "m-1", "is anyone there?", true, posted.getRef(), null));
    assertThat(posted.receiveMessage(WITHIN).isSuccess()).isTrue();
    TestProbe<StatusReply<Dispatcher.Joined>> joined = testKit.createTestProbe();
    joined.awaitAssert(
        WITHIN,
        () -> {
          sharding.entityRefFor(Dispatcher.ENTITY_KEY, site).tell(new Dispatcher.Claim("a-1", id, null, joined.getRef()));
          assertThat(joined.receiveMessage(Duration.ofSeconds(2)).isSuccess()).isTrue();
          return null;
        });
    sharding.entityRefFor(Conversation.ENTITY_KEY, id)
        .tell(new Conversation.PostMessage(agent, "r-1", "yes, how can I help?", false, posted.getRef(), null));
    assertThat(posted.receiveMessage(WITHIN).isSuccess()).isTrue();
    Instant answeredAt = Instant.now();

    // Nobody talks to the conversation any more: it passivates.
    awaitTrue(() -> !running(Conversation.ENTITY_KEY.name()).contains(id), "the conversation passivated");
    awaitTrue(() -> !Instant.now().isBefore(answeredAt.plus(AUTO_CLOSE_AFTER)), "the visitor silent long enough");
    assertThat(closedInJournal(id)).isFalse();

    dispatcherClock.advance(Dispatcher.AUTO_CLOSE_CHECK_INTERVAL.plusSeconds(1)); // the dispatcher's next check
    awaitTrue(() -> closedInJournal(id), "the conversation closed itself, woken by the dispatcher's tick");
  }

  private static boolean closedInJournal(String conversationId) {
    return PersistenceTestKit.create(testKit.system())
        .persistedInStorage(Conversation.ENTITY_KEY.name() + "|" + conversationId)
        .stream()
        .anyMatch(e -> e instanceof Conversation.Closed);
  }

  private static void awaitTrue(java.util.function.BooleanSupplier condition, String what) {
    testKit.createTestProbe().awaitAssert(WITHIN, () -> {
      assertThat(condition.getAsBoolean()).as(what).isTrue();
      return null;
    });
  }

  private Set<String> running(String entityType) {
    TestProbe<ShardRegion.CurrentShardRegionState> probe = testKit.createTestProbe();
    var key =
        entityType.equals(Conversation.ENTITY_KEY.name()) ? Conversation.ENTITY_KEY : Dispatcher.ENTITY_KEY;
    ClusterSharding.get(testKit.system()).shardState().tell(new GetShardRegionState(key, probe.getRef()));
    return probe.receiveMessage(Duration.ofSeconds(5)).getShards().stream()
        .flatMap(shard -> shard.getEntityIds().stream())
        .collect(Collectors.toSet());
  }
}
