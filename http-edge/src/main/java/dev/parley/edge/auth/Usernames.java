package dev.parley.edge.auth;

import java.text.Normalizer;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * User names in one canonical form, and the namespaces that keep tenants from learning each other's names
 * (docs/DECISIONS.md, "User names").
 *
 * <p>Canonical: Unicode NFKC (so that full-width {@code ＡＤＭＩＮ} is {@code ADMIN}), then lower case, then 3 to 100
 * of {@code a-z 0-9 . _ @ + -}. Only ASCII is left after that, so no two names can look alike across scripts,
 * and {@code ADMIN} is {@code admin}. A display name carries any script.
 *
 * <p>Namespaces: a name chosen by a site's admin is stored as {@code name@siteId}, so the only names it can collide
 * with are its own site's; a server operator (who sees every tenant anyway) chooses names freely.
 */
public final class Usernames {

  public static final int MIN_LENGTH = 3;
  public static final int MAX_LENGTH = 100;
  private static final Pattern CANONICAL = Pattern.compile("[a-z0-9._@+-]{" + MIN_LENGTH + "," + MAX_LENGTH + "}");

  private Usernames() {}

  /** The canonical form of {@code raw}, or empty when it is not a valid user name. */
  public static Optional<String> canonical(String raw) {
    if (raw == null) {
      return Optional.empty();
    }
    String name = Normalizer.normalize(raw.strip(), Normalizer.Form.NFKC).toLowerCase(Locale.ROOT);
    return CANONICAL.matcher(name).matches() ? Optional.of(name) : Optional.empty();
  }

  /**
   * The stored name of an account created by an admin of {@code siteId} who asked for {@code canonical}: already in
   * the site's namespace, or put there.
   */
  public static String inSite(String canonical, String siteId) {
    String suffix = "@" + siteId;
    return canonical.endsWith(suffix) ? canonical : canonical + suffix;
  }

  /** A key for throttling logins by name: the canonical form, or a bounded stand-in for something invalid. */
  public static String throttleKey(String raw) {
    return canonical(raw).orElseGet(() -> "?" + Integer.toHexString(raw == null ? 0 : raw.hashCode()));
  }
}
