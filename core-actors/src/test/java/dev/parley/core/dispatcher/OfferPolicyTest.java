package dev.parley.core.dispatcher;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.core.routing.Policy;
import dev.parley.core.routing.SiteRouting;
import dev.parley.core.routing.WorkingHours;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The routing policy as a table: a situation, and who is offered what. No actors. */
class OfferPolicyTest {

  /** A Monday at 10:00 UTC. */
  private static final Instant NOW = Instant.parse("2026-11-23T10:00:00Z");

  private static Dispatcher.Waiting waiting(String id, String visitor, String group, Duration waited) {
    return new Dispatcher.Waiting(id, visitor, NOW.minus(waited), group);
  }

  private static SiteRouting site(Policy policy, int capacity, List<SiteRouting.Group> groups, WorkingHours hours) {
    return new SiteRouting(
        "s", policy, Duration.ofSeconds(30), capacity, Map.of(), groups, List.of(), hours, null, null);
  }

  private static SiteRouting.Group group(String id, Set<String> members, String overflow, Duration after) {
    return new SiteRouting.Group(id, id, null, members, overflow, after, null);
  }

  /** A fluent situation; every map defaults to empty. */
  private static final class Case {
    SiteRouting config = site(Policy.LEAST_BUSY, 2, List.of(), null);
    List<Dispatcher.Waiting> waiting = List.of();
    Map<String, Boolean> online = new HashMap<>();
    Map<String, Integer> load = new HashMap<>();
    Map<String, String> offers = new HashMap<>();
    Map<String, Set<String>> passed = new HashMap<>();
    Map<String, Instant> offeredAt = new HashMap<>();
    Map<String, String> cursors = new HashMap<>();
    Map<String, String> lastAgent = new HashMap<>();

    Case config(SiteRouting c) {
      config = c;
      return this;
    }

    Case waiting(Dispatcher.Waiting... w) {
      waiting = List.of(w);
      return this;
    }

    Case online(String... agents) {
      for (String a : agents) {
        online.put(a, true);
      }
      return this;
    }

    Case away(String agent) {
      online.put(agent, false);
      return this;
    }

    Case load(String agent, int n) {
      load.put(agent, n);
      return this;
    }

    Case offered(String conversation, String agent) {
      offers.put(conversation, agent);
      return this;
    }

    Case passed(String conversation, String... agents) {
      passed.put(conversation, Set.of(agents));
      return this;
    }

    Case offeredAt(String agent, Duration ago) {
      offeredAt.put(agent, NOW.minus(ago));
      return this;
    }

    Case cursor(String group, String agent) {
      cursors.put(group, agent);
      return this;
    }

    Case returning(String visitor, String agent) {
      lastAgent.put(visitor, agent);
      return this;
    }

    List<String> decide() {
      OfferPolicy.Decision d =
          OfferPolicy.decide(
              new OfferPolicy.Input(config, NOW, waiting, online, load, offers, passed, offeredAt, cursors, lastAgent));
      return d.offers().stream().map(o -> o.conversationId() + "->" + o.agentId()).toList();
    }
  }

  static Stream<Arguments> table() {
    WorkingHours closedNow =
        new WorkingHours(
            ZoneId.of("UTC"), List.of(new WorkingHours.Span(DayOfWeek.MONDAY, LocalTime.of(14, 0), LocalTime.of(18, 0))),
            Set.of());
    return Stream.of(
        Arguments.of("least busy takes it", new Case().online("a", "b").load("a", 1).waiting(waiting("c1", "v1", null, Duration.ZERO)), List.of("c1->b")),
        Arguments.of("ties go to who was offered longest ago", new Case().online("a", "b").offeredAt("a", Duration.ofMinutes(1)).offeredAt("b", Duration.ofMinutes(5)).waiting(waiting("c1", "v1", null, Duration.ZERO)), List.of("c1->b")),
        Arguments.of("then by id", new Case().online("b", "a").waiting(waiting("c1", "v1", null, Duration.ZERO)), List.of("c1->a")),
        Arguments.of("work spreads in one pass", new Case().online("a", "b").waiting(waiting("c1", "v1", null, Duration.ZERO), waiting("c2", "v2", null, Duration.ZERO)), List.of("c1->a", "c2->b")),
        Arguments.of("capacity counts offers out", new Case().config(site(Policy.LEAST_BUSY, 1, List.of(), null)).online("a").offered("c0", "a").waiting(waiting("c0", "v0", null, Duration.ZERO), waiting("c1", "v1", null, Duration.ZERO)), List.of()),
        Arguments.of("a full agent gets nothing", new Case().config(site(Policy.LEAST_BUSY, 1, List.of(), null)).online("a", "b").load("a", 1).waiting(waiting("c1", "v1", null, Duration.ZERO)), List.of("c1->b")),
        Arguments.of("away agents get nothing", new Case().online("a").away("b").waiting(waiting("c1", "v1", null, Duration.ZERO), waiting("c2", "v2", null, Duration.ZERO)), List.of("c1->a", "c2->a")),
        Arguments.of("manual offers nothing", new Case().config(site(Policy.MANUAL, 2, List.of(), null)).online("a").waiting(waiting("c1", "v1", null, Duration.ZERO)), List.of()),
        Arguments.of("outside the site's hours nothing", new Case().config(site(Policy.LEAST_BUSY, 2, List.of(), closedNow)).online("a").waiting(waiting("c1", "v1", null, Duration.ZERO)), List.of()),
        Arguments.of("only the group's members", new Case().config(site(Policy.LEAST_BUSY, 2, List.of(group("billing", Set.of("b"), null, null)), null)).online("a", "b").waiting(waiting("c1", "v1", "billing", Duration.ZERO)), List.of("c1->b")),
        Arguments.of("overflow after its wait", new Case().config(site(Policy.LEAST_BUSY, 2, List.of(group("vip", Set.of("v"), "all", Duration.ofMinutes(2)), group("all", Set.of("a"), null, null)), null)).online("a").waiting(waiting("c1", "v1", "vip", Duration.ofMinutes(3))), List.of("c1->a")),
        Arguments.of("not before", new Case().config(site(Policy.LEAST_BUSY, 2, List.of(group("vip", Set.of("v"), "all", Duration.ofMinutes(2)), group("all", Set.of("a"), null, null)), null)).online("a").waiting(waiting("c1", "v1", "vip", Duration.ofMinutes(1))), List.of()),
        Arguments.of("a returning visitor goes back", new Case().online("a", "b").load("b", 1).returning("v1", "b").waiting(waiting("c1", "v1", null, Duration.ZERO)), List.of("c1->b")),
        Arguments.of("unless that agent cannot take it", new Case().config(site(Policy.LEAST_BUSY, 1, List.of(), null)).online("a", "b").load("b", 1).returning("v1", "b").waiting(waiting("c1", "v1", null, Duration.ZERO)), List.of("c1->a")),
        Arguments.of("who passed is skipped", new Case().online("a", "b").passed("c1", "a").waiting(waiting("c1", "v1", null, Duration.ZERO)), List.of("c1->b")),
        Arguments.of("until everyone passed", new Case().online("a", "b").passed("c1", "a", "b").waiting(waiting("c1", "v1", null, Duration.ZERO)), List.of("c1->a")),
        Arguments.of("an offer out is not repeated", new Case().online("a", "b").offered("c1", "a").waiting(waiting("c1", "v1", null, Duration.ZERO)), List.of()),
        Arguments.of("round robin after the last", new Case().config(site(Policy.ROUND_ROBIN, 2, List.of(), null)).online("a", "b", "c").cursor("", "a").waiting(waiting("c1", "v1", null, Duration.ZERO), waiting("c2", "v2", null, Duration.ZERO)), List.of("c1->b", "c2->c")),
        Arguments.of("round robin wraps", new Case().config(site(Policy.ROUND_ROBIN, 2, List.of(), null)).online("a", "b").cursor("", "b").waiting(waiting("c1", "v1", null, Duration.ZERO)), List.of("c1->a")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("table")
  void decides(String situation, Case c, List<String> expected) {
    assertThat(c.decide()).as(situation).containsExactlyElementsOf(expected);
  }
}
