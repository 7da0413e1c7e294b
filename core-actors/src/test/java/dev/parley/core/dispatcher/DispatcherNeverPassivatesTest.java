package dev.parley.core.dispatcher;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import dev.parley.core.routing.RoutingConfig;
import java.time.Duration;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.cluster.sharding.ShardRegion;
import org.apache.pekko.cluster.sharding.typed.GetShardRegionState;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.apache.pekko.persistence.testkit.PersistenceTestKitSnapshotPlugin;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * A site's dispatcher keeps running with nobody connected: its tick is what expires offers, auto-closes idle
 * chats and finishes joins decided before a crash. Sharding passivates idle entities (here after one second);
 * the dispatcher, a remembered entity, must not be one of them. Without {@code withRememberEntities} in {@link
 * Dispatcher#init} this test fails: the entity is gone from its shard within two seconds.
 */
class DispatcherNeverPassivatesTest {

  private static final Duration IDLE_TIMEOUT = Duration.ofSeconds(1);

  private static final ActorTestKit testKit =
      ActorTestKit.create(
          "never-passivates",
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
  void aDispatcherIsStillRunningLongAfterTheIdleTimeoutWithNobodyConnected() throws Exception {
    Cluster cluster = Cluster.get(testKit.system());
    cluster.manager().tell(Join.create(cluster.selfMember().address()));
    Dispatcher.init(testKit.system(), RoutingConfig.UNCONFIGURED, DispatcherPeers.NONE);
    ClusterSharding sharding = ClusterSharding.get(testKit.system());
    TestProbe<Dispatcher.QueueView> queue = testKit.createTestProbe();
    sharding.entityRefFor(Dispatcher.ENTITY_KEY, "quiet-site").tell(new Dispatcher.GetQueue(queue.getRef()));
    queue.receiveMessage(Duration.ofSeconds(20));
    assertThat(runningDispatchers()).contains("quiet-site");

    // Nobody talks to it from now on. Idle entities are passivated within twice the timeout; watch for four.
    long until = System.nanoTime() + IDLE_TIMEOUT.multipliedBy(4).toNanos();
    while (System.nanoTime() < until) {
      assertThat(runningDispatchers()).as("dispatchers running in their shards").contains("quiet-site");
    }
  }

  private Set<String> runningDispatchers() {
    TestProbe<ShardRegion.CurrentShardRegionState> probe = testKit.createTestProbe();
    ClusterSharding.get(testKit.system())
        .shardState()
        .tell(new GetShardRegionState(Dispatcher.ENTITY_KEY, probe.getRef()));
    return probe.receiveMessage(Duration.ofSeconds(5)).getShards().stream()
        .flatMap(shard -> shard.getEntityIds().stream())
        .collect(Collectors.toSet());
  }
}
