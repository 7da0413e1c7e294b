package dev.parley.edge.admin;

import dev.parley.core.access.Permission;
import dev.parley.core.access.SiteRole;
import dev.parley.edge.ApiError;
import dev.parley.edge.auth.Passwords;
import dev.parley.edge.auth.Usernames;
import dev.parley.persistence.directory.Account;
import dev.parley.persistence.directory.Directory;
import dev.parley.persistence.directory.Membership;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code /api/sites/{site}/accounts}: a site's owners and admins manage its people. They list and create accounts
 * (a generated password is returned once), change an account's role at the site, disable and re-enable it, remove
 * it from the site (an account left without a site is deleted), and reset its password (generated, shown once) or
 * its two-factor sign-in.
 *
 * <p>Rules (docs/SECURITY.md): account managers act on their own rank and below and give no role above their own; a
 * site keeps an enabled owner ({@code 409 last-owner}); an action on the whole account (disable, resets) needs
 * the caller to manage the account at every site it works for, and an operator's account is changed only by an
 * operator. Every change that takes access away ends the account's tokens and live connections before it is
 * answered. Accounts of other sites answer 404, like other sites.
 */
public final class AccountRoutes extends ApiRoutes {

  private static final String NO_SUCH_ACCOUNT = "no such account at this site";

  private final SiteRoutes sites;

  public AccountRoutes(ApiContext api, SiteRoutes sites) {
    super(api);
    this.sites = sites;
  }

  record MemberView(
      String id,
      String username,
      String displayName,
      String role,
      boolean disabled,
      boolean twoFactorEnabled,
      Instant createdAt) {
    static MemberView of(Account a, SiteRole role) {
      return new MemberView(
          a.id(), a.username(), a.displayName(), role.code(), a.disabled(), a.twoFactorEnabled(), a.createdAt());
    }
  }

  record Created(MemberView account, String password) {}

  record PasswordReset(MemberView account, String password) {}

  @Override
  public Route routes() {
    return underSite(
        siteId ->
            pathPrefix(
                "accounts",
                () ->
                    concat(
                        pathEnd(
                            () ->
                                concat(
                                    get(() -> list(siteId)), post(() -> withBody(body -> create(siteId, body))))),
                        pathPrefix(
                            PathMatchers.segment(),
                            accountId ->
                                concat(
                                    pathEnd(
                                        () ->
                                            concat(
                                                get(() -> show(siteId, accountId)),
                                                patch(() -> withBody(body -> update(siteId, accountId, body))),
                                                delete(() -> remove(siteId, accountId)))),
                                    path("reset-password", () -> post(() -> resetPassword(siteId, accountId))),
                                    path("reset-2fa", () -> post(() -> resetTwoFactor(siteId, accountId))))))));
  }

  private Route list(String siteId) {
    return authenticated(
        principal ->
            blocking(
                () -> {
                  managedSite(principal, siteId);
                  List<MemberView> members =
                      api.directory().members(siteId).stream()
                          .map(m -> MemberView.of(m.account(), m.role()))
                          .toList();
                  return json(200, members);
                }));
  }

  private Route show(String siteId, String accountId) {
    return authenticated(
        principal ->
            blocking(
                () -> {
                  managedSite(principal, siteId);
                  Directory.Member member = member(siteId, accountId);
                  return json(200, MemberView.of(member.account(), member.role()));
                }));
  }

  private Route create(String siteId, RequestBody body) {
    String requested = body.requiredString("username", 1, Usernames.MAX_LENGTH);
    String canonical =
        Usernames.canonical(requested)
            .orElseThrow(
                () -> ApiError.invalid("username", "a username has 3 to 100 letters, digits and . _ @ + -"));
    String displayName = body.optionalString("displayName", 1, 200);
    SiteRole role = role(body.optionalString("role", 1, 16), SiteRole.AGENT);
    String given = body.optionalString("password", Passwords.MIN_LENGTH, Passwords.MAX_LENGTH);
    return authenticated(
        principal ->
            blocking(
                    () -> {
                      managedSite(principal, siteId);
                      requireMayGive(principal, siteId, role);
                      // A tenant's admin names accounts inside the site's namespace, so a taken name can only be
                      // one of the site's own (docs/DECISIONS.md); an operator names them freely.
                      return principal.isOperator() ? canonical : Usernames.inSite(canonical, siteId);
                    })
                .thenCompose(
                    username -> {
                      String password = given != null ? given : Passwords.generate();
                      return api.hashing()
                          .submit(() -> Passwords.hash(password))
                          .thenApplyAsync(
                              hash -> {
                                Account account =
                                    new Account(
                                        UUID.randomUUID().toString(),
                                        username,
                                        displayName != null ? displayName : requested,
                                        hash,
                                        api.clock().instant());
                                api.directory().createAccount(account, siteId, role);
                                return json(
                                    201,
                                    new Created(MemberView.of(account, role), given == null ? password : null));
                              },
                              api.blocking());
                    }));
  }

  private Route update(String siteId, String accountId, RequestBody body) {
    String roleName = body.optionalString("role", 1, 16);
    SiteRole newRole = roleName == null ? null : role(roleName, null);
    Boolean disabled = body.optionalBoolean("disabled");
    return authenticated(
        principal ->
            changeThenRevoke(
                accountId,
                () -> {
                  Directory.Member target = manageable(principal, siteId, accountId, disabled != null);
                  OptionalLong version = OptionalLong.empty();
                  if (newRole != null && newRole != target.role()) {
                    requireMayGive(principal, siteId, newRole);
                    version = api.directory().changeRole(accountId, siteId, newRole);
                  }
                  if (disabled != null && disabled != target.account().disabled()) {
                    version = api.directory().setDisabled(accountId, disabled, api.clock().instant());
                  }
                  return version;
                },
                () -> json(200, view(siteId, accountId))));
  }

  private Route remove(String siteId, String accountId) {
    return authenticated(
        principal ->
            changeThenRevoke(
                accountId,
                () -> {
                  manageable(principal, siteId, accountId, false);
                  OptionalLong version = api.directory().removeFromSite(accountId, siteId);
                  if (version.isEmpty()) {
                    throw ApiError.notFound(NO_SUCH_ACCOUNT);
                  }
                  return version;
                },
                () -> json(200, Map.of("removed", accountId))));
  }

  private Route resetPassword(String siteId, String accountId) {
    return authenticated(
        principal ->
            blocking(() -> manageable(principal, siteId, accountId, true))
                .thenCompose(
                    target -> {
                      String password = Passwords.generate();
                      return api.hashing()
                          .submit(() -> Passwords.hash(password))
                          .thenComposeAsync(
                              hash ->
                                  changeThenRevokeNow(
                                      accountId,
                                      () -> api.directory().updatePasswordHash(accountId, hash),
                                      () ->
                                          json(200, new PasswordReset(view(siteId, accountId), password))),
                              api.blocking());
                    }));
  }

  private Route resetTwoFactor(String siteId, String accountId) {
    return authenticated(
        principal ->
            changeThenRevoke(
                accountId,
                () -> {
                  manageable(principal, siteId, accountId, true);
                  api.twoFactor().disable(accountId);
                  return OptionalLong.of(api.directory().account(accountId).orElseThrow().tokenVersion());
                },
                () -> json(200, view(siteId, accountId))));
  }

  // Rules ------------------------------------------------------------------------------------------------------

  /** The site, if the caller may manage its accounts: 404 for non-members, 403 for the others. */
  private void managedSite(Principal principal, String siteId) {
    sites.siteWith(principal, siteId, Permission.MANAGE_ACCOUNTS, "only the site's owners and admins manage its accounts");
  }

  private void requireMayGive(Principal principal, String siteId, SiteRole role) {
    if (!Permission.mayManage(principal.role(siteId).orElseThrow(), role)) {
      throw ApiError.forbidden("you cannot give a role above your own");
    }
  }

  /**
   * The target account, if the caller may act on it: it works for this site (else 404), holds a role no higher than
   * the caller's, is no operator unless the caller is one, and for an action on the whole account ({@code
   * accountWide}) the caller manages it at every site it works for (else 403).
   */
  private Directory.Member manageable(Principal principal, String siteId, String accountId, boolean accountWide) {
    managedSite(principal, siteId);
    Directory.Member target = member(siteId, accountId);
    if (!Permission.mayManage(principal.role(siteId).orElseThrow(), target.role())) {
      throw ApiError.forbidden("only an owner acts on an owner's account");
    }
    if (target.account().operator() && !principal.isOperator()) {
      throw ApiError.forbidden("the server operator's account is changed by an operator only");
    }
    if (accountWide) {
      for (Membership m : api.directory().memberships(accountId)) {
        boolean manages =
            principal.role(m.siteId()).map(r -> Permission.mayManage(r, m.role())).orElse(false);
        if (!manages) {
          throw ApiError.forbidden(
              "the account also works for a site whose accounts you do not manage; remove it from this site instead");
        }
      }
    }
    return target;
  }

  private Directory.Member member(String siteId, String accountId) {
    return api.directory().member(siteId, accountId).orElseThrow(() -> ApiError.notFound(NO_SUCH_ACCOUNT));
  }

  private MemberView view(String siteId, String accountId) {
    Directory.Member member = member(siteId, accountId);
    return MemberView.of(member.account(), member.role());
  }

  private static SiteRole role(String name, SiteRole absent) {
    if (name == null) {
      return absent;
    }
    return SiteRole.ofCode(name.toLowerCase(java.util.Locale.ROOT))
        .orElseThrow(() -> ApiError.invalid("role", "role is owner, admin, supervisor or agent"));
  }

  // Plumbing ---------------------------------------------------------------------------------------------------

  @FunctionalInterface
  private interface Change {
    /** Writes the change; the account's new token version when its tokens were revoked, else empty. */
    OptionalLong run();
  }

  /** Runs {@code change} on the blocking pool, ends the account's sessions if it revoked them, then answers. */
  private CompletionStage<HttpResponse> changeThenRevoke(
      String accountId, Change change, Supplier<HttpResponse> answer) {
    return blocking(change::run)
        .thenComposeAsync(version -> revokeThen(accountId, version, answer), api.blocking());
  }

  /** As {@link #changeThenRevoke}, on the current thread (already a blocking one). */
  private CompletionStage<HttpResponse> changeThenRevokeNow(
      String accountId, Change change, Supplier<HttpResponse> answer) {
    return revokeThen(accountId, change.run(), answer);
  }

  private CompletionStage<HttpResponse> revokeThen(
      String accountId, OptionalLong version, Supplier<HttpResponse> answer) {
    if (version.isEmpty()) {
      return blocking(answer);
    }
    return api.revocations()
        .endSessions(accountId, version.getAsLong())
        .thenApplyAsync(done -> answer.get(), api.blocking());
  }
}
