package dev.parley.persistence.routing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.core.access.SiteRole;
import com.zaxxer.hikari.HikariDataSource;
import dev.parley.core.routing.Policy;
import dev.parley.core.routing.SiteRouting;
import dev.parley.core.routing.WorkingHours;
import dev.parley.persistence.config.Databases;
import dev.parley.persistence.config.PersistenceSettings;
import dev.parley.persistence.directory.Account;
import dev.parley.persistence.directory.Directory;
import dev.parley.persistence.directory.Membership;
import dev.parley.persistence.directory.Site;
import dev.parley.persistence.testing.TestDatabases;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RoutingStoreTest {

  private static final Instant NOW = Instant.parse("2026-11-23T10:00:00Z");

  @Test
  void aSitesRoutingRoundTripsAndIsReplacedAsAWhole() throws Exception {
    PersistenceSettings settings = TestDatabases.freshPostgres();
    try (HikariDataSource ds = Databases.configPool(settings)) {
      Databases.migrate(ds, settings);
      Directory directory = new Directory(ds);
      directory.createSite(new Site("shop", "Shop", List.of(), NOW));
      directory.createAccount(new Account("a1", "ann", "Ann", "$hash", NOW), "shop", SiteRole.AGENT);
      directory.createAccount(new Account("a2", "bo", "Bo", "$hash", NOW), "shop", SiteRole.AGENT);
      RoutingStore store = new RoutingStore(ds, Runnable::run);
      ZoneId berlin = ZoneId.of("Europe/Berlin");
      WorkingHours hours =
          new WorkingHours(
              berlin,
              List.of(new WorkingHours.Span(DayOfWeek.FRIDAY, LocalTime.of(22, 0), LocalTime.of(2, 0))),
              Set.of(LocalDate.parse("2026-12-25")));
      WorkingHours salesHours =
          new WorkingHours(
              berlin,
              List.of(new WorkingHours.Span(DayOfWeek.MONDAY, LocalTime.of(9, 30), LocalTime.of(17, 0))),
              Set.of(LocalDate.parse("2026-12-25"), LocalDate.parse("2026-12-31")));
      SiteRouting routing =
          new SiteRouting(
              "shop",
              Policy.ROUND_ROBIN,
              Duration.ofSeconds(20),
              3,
              Map.of("a1", 5),
              List.of(
                  new SiteRouting.Group(
                      "sales", "Sales", Policy.LEAST_BUSY, Set.of("a1", "a2"), "support", Duration.ofSeconds(90),
                      salesHours),
                  new SiteRouting.Group("support", "Support", null, Set.of("a2"), null, null, null)),
              List.of(new SiteRouting.UrlRule("/pricing", "sales")),
              hours,
              "Hi! We answer within minutes.",
              Duration.ofMinutes(15));

      assertThat(store.find("shop")).isEmpty();
      assertThat(store.load("shop").toCompletableFuture().get().policy()).isEqualTo(Policy.MANUAL);
      store.replace(routing, NOW);
      assertThat(store.find("shop")).contains(routing);

      SiteRouting smaller =
          new SiteRouting(
              "shop", Policy.MANUAL, Duration.ofSeconds(30), 2, Map.of(), List.of(), List.of(), null, null, null);
      store.replace(smaller, NOW);
      assertThat(store.find("shop")).contains(smaller);
    }
  }
}
