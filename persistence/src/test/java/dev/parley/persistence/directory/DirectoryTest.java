package dev.parley.persistence.directory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parley.core.access.SiteRole;
import com.zaxxer.hikari.HikariDataSource;
import dev.parley.persistence.config.Databases;
import dev.parley.persistence.config.PersistenceSettings;
import dev.parley.persistence.testing.TestDatabases;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.junit.jupiter.api.Test;

class DirectoryTest {

  private static final Instant NOW = Instant.now().truncatedTo(ChronoUnit.MILLIS);

  @Test
  void migrationsAreRepeatableAndCreateEveryTable() throws Exception {
    PersistenceSettings settings = TestDatabases.freshPostgres();
    try (HikariDataSource ds = Databases.configPool(settings)) {
      assertThat(Databases.migrate(ds, settings).migrationsExecuted).isPositive();
      assertThat(Databases.migrate(ds, settings).migrationsExecuted).isZero();
      try (var c = ds.getConnection();
          var s = c.createStatement()) {
        for (String table : List.of("site", "account", "membership", "server_secret", "site_widget")) {
          try (var rs = s.executeQuery("SELECT COUNT(*) FROM " + table)) {
            assertThat(rs.next()).as("table %s is readable", table).isTrue();
            assertThat(rs.getLong(1)).isZero();
          }
        }
      }
    }
  }

  @Test
  void widgetSettingsAreSavedReplacedAndDefaultedPerSite() {
    PersistenceSettings settings = TestDatabases.freshPostgres();
    try (HikariDataSource ds = Databases.configPool(settings)) {
      Databases.migrate(ds, settings);
      new Directory(ds).createSite(new Site("shop", "Tea Shop", List.of(), NOW));
      SiteWidgets widgets = new SiteWidgets(ds);

      assertThat(widgets.get("shop")).isEqualTo(SiteWidget.defaults("shop"));
      widgets.save(new SiteWidget("shop", "{\"color\":\"#e11d48\"}", true, "s3cret"));
      widgets.save(new SiteWidget("shop", "{\"color\":\"#16a34a\"}", true, "s3cret"));

      SiteWidget saved = widgets.get("shop");
      assertThat(saved.settingsJson()).contains("#16a34a");
      assertThat(saved.identityRequired()).isTrue();
      assertThat(saved.identitySecret()).isEqualTo("s3cret");
      assertThat(saved.toString()).doesNotContain("s3cret");
    }
  }

  @Test
  void sitesAccountsAndMembershipsRoundTrip() {
    PersistenceSettings settings = TestDatabases.freshPostgres();
    try (HikariDataSource ds = Databases.configPool(settings)) {
      Databases.migrate(ds, settings);
      Directory directory = new Directory(ds);
      directory.createSite(new Site("shop", "Tea Shop", List.of("https://tea.example", "http://localhost:3000"), NOW));
      directory.createSite(new Site("other", "Other", List.of(), NOW));
      Account mei = new Account("acc-1", "mei", "Mei", "$argon2id$hash", NOW);
      directory.createAccount(mei, "shop", SiteRole.ADMIN);
      directory.grant("acc-1", "other", SiteRole.AGENT);

      assertThat(directory.site("shop").orElseThrow().allowedOrigins())
          .containsExactly("https://tea.example", "http://localhost:3000");
      assertThat(directory.site("other").orElseThrow().allowedOrigins()).isEmpty();
      assertThat(directory.accountByUsername("mei").orElseThrow()).isEqualTo(mei);
      assertThat(directory.memberships("acc-1"))
          .containsExactly(
              new Membership("acc-1", "other", SiteRole.AGENT),
              new Membership("acc-1", "shop", SiteRole.ADMIN));
      assertThat(directory.members("shop")).extracting(m -> m.account().username()).containsExactly("mei");
      assertThat(directory.accountByUsername("nobody")).isEmpty();
    }
  }

  @Test
  void aTakenUsernameOrSiteIdIsAConflictAndWritesNothing() {
    PersistenceSettings settings = TestDatabases.freshPostgres();
    try (HikariDataSource ds = Databases.configPool(settings)) {
      Databases.migrate(ds, settings);
      Directory directory = new Directory(ds);
      directory.createSite(new Site("shop", "Tea Shop", List.of(), NOW));
      directory.createAccount(new Account("a1", "mei", "Mei", "h", NOW), "shop", SiteRole.AGENT);

      assertThatThrownBy(
              () ->
                  directory.createAccount(
                      new Account("a2", "mei", "Another Mei", "h", NOW), "shop", SiteRole.AGENT))
          .isInstanceOf(Conflict.class);
      assertThatThrownBy(() -> directory.createSite(new Site("shop", "Again", List.of(), NOW)))
          .isInstanceOf(Conflict.class);
      assertThat(directory.account("a2")).isEmpty();
      assertThat(directory.members("shop")).hasSize(1);
      assertThat(directory.site("shop").orElseThrow().name()).isEqualTo("Tea Shop");
    }
  }

  @Test
  void aSiteKeepsAnEnabledOwnerAndEveryAccessChangeBumpsTheTokenVersion() {
    PersistenceSettings settings = TestDatabases.freshPostgres();
    try (HikariDataSource ds = Databases.configPool(settings)) {
      Databases.migrate(ds, settings);
      Directory directory = new Directory(ds);
      directory.createSite(new Site("shop", "Tea Shop", List.of(), NOW));
      directory.createAccount(new Account("o1", "olga", "Olga", "h", NOW), "shop", SiteRole.OWNER);
      directory.createAccount(new Account("g1", "gus", "Gus", "h", NOW), "shop", SiteRole.AGENT);

      assertThatThrownBy(() -> directory.changeRole("o1", "shop", SiteRole.ADMIN)).isInstanceOf(LastOwner.class);
      assertThatThrownBy(() -> directory.setDisabled("o1", true, NOW)).isInstanceOf(LastOwner.class);
      assertThatThrownBy(() -> directory.removeFromSite("o1", "shop")).isInstanceOf(LastOwner.class);
      assertThat(directory.account("o1").orElseThrow().tokenVersion()).isEqualTo(1L);

      assertThat(directory.changeRole("g1", "shop", SiteRole.OWNER)).hasValue(2L);
      assertThat(directory.changeRole("o1", "shop", SiteRole.ADMIN)).hasValue(2L);
      assertThatThrownBy(() -> directory.setDisabled("g1", true, NOW)).isInstanceOf(LastOwner.class);
      assertThat(directory.setDisabled("o1", true, NOW)).hasValue(3L);
      assertThat(directory.account("o1").orElseThrow().disabled()).isTrue();
      assertThat(directory.setDisabled("o1", false, NOW)).hasValue(4L);
      assertThat(directory.updatePasswordHash("o1", "h2")).hasValue(5L);

      assertThat(directory.removeFromSite("o1", "shop")).hasValue(6L);
      assertThat(directory.account("o1")).as("an account left without a site is deleted").isEmpty();
      assertThat(directory.removeFromSite("o1", "shop")).isEmpty();
      assertThat(directory.setTwoFactorRequired("shop", true))
          .containsExactly(new Directory.Revoked("g1", 3L));
      assertThat(directory.twoFactorRequiredFor("g1")).isTrue();
    }
  }

  @Test
  void aSecretIsCreatedOnceAndThenStable() {
    PersistenceSettings settings = TestDatabases.freshPostgres();
    try (HikariDataSource ds = Databases.configPool(settings)) {
      Databases.migrate(ds, settings);
      SecretStore secrets = new SecretStore(ds);

      byte[] first = secrets.getOrCreate("token-signing");
      byte[] again = new SecretStore(ds).getOrCreate("token-signing");
      byte[] other = secrets.getOrCreate("other");

      assertThat(first).hasSize(SecretStore.SECRET_BYTES).isEqualTo(again);
      assertThat(other).isNotEqualTo(first);
    }
  }
}
