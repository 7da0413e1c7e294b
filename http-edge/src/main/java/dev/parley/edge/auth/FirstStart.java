package dev.parley.edge.auth;

import dev.parley.core.access.SiteRole;
import dev.parley.persistence.directory.Account;
import dev.parley.persistence.directory.Directory;
import dev.parley.persistence.directory.Site;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * What a brand-new installation gets: a demo site whose widget works from this server's own pages, and an admin
 * account with a generated password, owner of the demo site and the server's operator (the one who may create
 * sites). Nothing happens when any site exists already. There is never a fixed default password.
 */
public final class FirstStart {

  public static final String DEMO_SITE_ID = "demo";
  public static final String ADMIN_USERNAME = "admin";

  /** The admin's credentials, known only to the process that created them. */
  public record Credentials(String username, String password) {
    @Override
    public String toString() {
      return "Credentials[" + username + "]";
    }
  }

  private FirstStart() {}

  public static Optional<Credentials> run(Directory directory, List<String> origins, Clock clock) {
    if (!directory.sites().isEmpty()) {
      return Optional.empty();
    }
    directory.createSite(new Site(DEMO_SITE_ID, "Demo shop", origins, clock.instant()));
    String password = Passwords.generate();
    directory.createAccount(
        new Account(
                UUID.randomUUID().toString(), ADMIN_USERNAME, "Admin", Passwords.hash(password), clock.instant())
            .asOperator(),
        DEMO_SITE_ID,
        SiteRole.OWNER);
    return Optional.of(new Credentials(ADMIN_USERNAME, password));
  }
}
