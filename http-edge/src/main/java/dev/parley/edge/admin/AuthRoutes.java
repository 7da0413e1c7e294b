package dev.parley.edge.admin;

import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import dev.parley.edge.ApiError;
import dev.parley.edge.ErrorMapping;
import dev.parley.edge.auth.LoginThrottle;
import dev.parley.edge.auth.Passwords;
import dev.parley.edge.auth.Tokens;
import dev.parley.edge.protocol.ErrorCode;
import dev.parley.persistence.directory.Account;
import dev.parley.persistence.directory.Membership;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code /api/auth}: log in with a password for a signed agent token, renew a token before it expires, change
 * one's password.
 */
public final class AuthRoutes extends ApiRoutes {

  private final LoginThrottle throttle = new LoginThrottle();

  public AuthRoutes(ApiContext api) {
    super(api);
  }

  record AccountView(String id, String username, String displayName) {
    static AccountView of(Account a) {
      return new AccountView(a.id(), a.username(), a.displayName());
    }
  }

  record SiteRoleView(String siteId, String role) {
    static List<SiteRoleView> of(List<Membership> memberships) {
      return memberships.stream().map(m -> new SiteRoleView(m.siteId(), m.role().code())).toList();
    }
  }

  record Session(String token, Instant expiresAt, AccountView account, List<SiteRoleView> sites) {}

  record Renewed(String token, Instant expiresAt) {}

  @Override
  public Route routes() {
    return pathPrefix(
        segment("api").slash("auth"),
        () ->
            concat(
                path(
                    "login",
                    () ->
                        post(
                            () ->
                                extractClientIP(
                                    client ->
                                        withBody(
                                            body ->
                                                login(
                                                    body,
                                                    client.getAddress().map(a -> a.getHostAddress()).orElse("unknown")))))),
                path("renew", () -> post(this::renew)),
                path("password", () -> post(() -> withBody(this::changePassword)))));
  }

  private Route login(RequestBody body, String address) {
    String username = body.requiredString("username", 1, 100);
    String password = body.requiredString("password", 1, Passwords.MAX_LENGTH);
    if (!throttle.allows(username, address)) {
      return complete(
          ErrorMapping.response(
                  429, ErrorCode.RATE_LIMITED, "too many failed logins; try again in a few minutes", null)
              .addHeader(RawHeader.create("Retry-After", "60")));
    }
    return respond(
        blocking(
            () -> {
              Optional<Account> account = api.directory().accountByUsername(username);
              if (account.isEmpty()) {
                Passwords.burnCheck(password);
                throttle.failed(username, address);
                throw invalidCredentials();
              }
              if (!Passwords.matches(password, account.get().passwordHash())) {
                throttle.failed(username, address);
                throw invalidCredentials();
              }
              Tokens.Issued token = api.tokens().issueAgent(account.get().id());
              List<Membership> memberships = api.directory().memberships(account.get().id());
              return json(
                  200,
                  new Session(
                      token.token(),
                      token.expiresAt(),
                      AccountView.of(account.get()),
                      SiteRoleView.of(memberships)));
            }));
  }

  private Route renew() {
    return authenticated(
        principal ->
            blocking(
                () -> {
                  Tokens.Issued token = api.tokens().issueAgent(principal.account().id());
                  return json(200, new Renewed(token.token(), token.expiresAt()));
                }));
  }

  private Route changePassword(RequestBody body) {
    String current = body.requiredString("currentPassword", 1, Passwords.MAX_LENGTH);
    String next = body.requiredString("newPassword", Passwords.MIN_LENGTH, Passwords.MAX_LENGTH);
    return authenticated(
        principal ->
            blocking(
                () -> {
                  if (!Passwords.matches(current, principal.account().passwordHash())) {
                    throw invalidCredentials();
                  }
                  api.directory().updatePasswordHash(principal.account().id(), Passwords.hash(next));
                  return json(200, AccountView.of(principal.account()));
                }));
  }

  private static ApiError invalidCredentials() {
    return ApiError.unauthorized(ErrorCode.INVALID_CREDENTIALS, "wrong username or password");
  }
}
