package dev.parley.edge.admin;

import dev.parley.edge.ApiError;
import dev.parley.edge.auth.Passwords;
import dev.parley.persistence.directory.Account;
import dev.parley.persistence.directory.Membership;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.regex.Pattern;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code /api/sites/{site}/accounts}: a site's admins list its people and create agent and admin accounts. An
 * account created without a password gets a generated one, returned once in the response.
 */
public final class AccountRoutes extends ApiRoutes {

  private static final Pattern USERNAME = Pattern.compile("[A-Za-z0-9._@+-]{3,100}");

  private final SiteRoutes sites;

  public AccountRoutes(ApiContext api, SiteRoutes sites) {
    super(api);
    this.sites = sites;
  }

  record MemberView(String id, String username, String displayName, String role) {}

  record Created(MemberView account, String password) {}

  @Override
  public Route routes() {
    return underSite(
        siteId ->
            path(
                "accounts",
                () -> concat(get(() -> list(siteId)), post(() -> withBody(body -> create(siteId, body))))));
  }

  private Route list(String siteId) {
    return authenticated(
        principal ->
            blocking(
                () -> {
                  sites.adminSite(principal, siteId, "only the site's admins manage its accounts");
                  List<MemberView> members =
                      api.directory().members(siteId).stream()
                          .map(
                              m ->
                                  new MemberView(
                                      m.account().id(),
                                      m.account().username(),
                                      m.account().displayName(),
                                      m.role().code()))
                          .toList();
                  return json(200, members);
                }));
  }

  private Route create(String siteId, RequestBody body) {
    String username = body.requiredString("username", 3, 100);
    if (!USERNAME.matcher(username).matches()) {
      throw ApiError.invalid("username", "a username has 3 to 100 letters, digits and . _ @ + -");
    }
    String displayName = body.optionalString("displayName", 1, 200);
    String roleName = body.optionalString("role", 1, 16);
    Membership.Role role;
    try {
      role = roleName == null ? Membership.Role.AGENT : Membership.Role.fromCode(roleName.toLowerCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw ApiError.invalid("role", "role is agent or admin");
    }
    String given = body.optionalString("password", Passwords.MIN_LENGTH, Passwords.MAX_LENGTH);
    return authenticated(
        principal ->
            blocking(
                () -> {
                  sites.adminSite(principal, siteId, "only the site's admins manage its accounts");
                  String password = given != null ? given : Passwords.generate();
                  Account account =
                      new Account(
                          UUID.randomUUID().toString(),
                          username,
                          displayName != null ? displayName : username,
                          Passwords.hash(password),
                          api.clock().instant());
                  api.directory().createAccount(account, siteId, role);
                  MemberView view =
                      new MemberView(account.id(), account.username(), account.displayName(), role.code());
                  return json(201, new Created(view, given == null ? password : null));
                }));
  }
}
