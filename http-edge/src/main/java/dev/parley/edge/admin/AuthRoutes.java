package dev.parley.edge.admin;

import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import dev.parley.edge.ApiError;
import dev.parley.edge.auth.AgentAccess;
import dev.parley.edge.auth.LoginThrottle;
import dev.parley.edge.auth.PasswordHashing;
import dev.parley.edge.auth.Passwords;
import dev.parley.edge.auth.Tokens;
import dev.parley.edge.auth.Totp;
import dev.parley.edge.auth.Usernames;
import dev.parley.edge.protocol.ErrorCode;
import dev.parley.persistence.directory.Account;
import dev.parley.persistence.directory.Membership;
import dev.parley.persistence.directory.TwoFactorStore;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code /api/auth}: sign in (a password, then a second factor where the account has one), renew a token before it
 * expires (until the session limit after the password login), change one's password, read one's account, and set
 * up or turn off two-factor sign-in. docs/PROTOCOL.md §7 is the contract.
 *
 * <p>Every guess (password or code) reserves a failure in the {@link LoginThrottle} before it is checked and gets it
 * back when right; passwords are hashed on the bounded {@link PasswordHashing} pool only. Changes that take access
 * away (password, turning two-factor sign-in off) end the account's other tokens and connections and answer the
 * caller a fresh token.
 */
public final class AuthRoutes extends ApiRoutes {

  public AuthRoutes(ApiContext api) {
    super(api);
  }

  record AccountView(String id, String username, String displayName, boolean twoFactorEnabled, boolean operator) {
    static AccountView of(Account a) {
      return new AccountView(a.id(), a.username(), a.displayName(), a.twoFactorEnabled(), a.operator());
    }
  }

  record SiteRoleView(String siteId, String role) {
    static List<SiteRoleView> of(List<Membership> memberships) {
      return memberships.stream().map(m -> new SiteRoleView(m.siteId(), m.role().code())).toList();
    }
  }

  /**
   * A signed-in session. {@code twoFactorEnrolmentRequired}: the token only allows setting up two-factor sign-in
   * (a site demands it).
   */
  record Session(
      String token,
      Instant expiresAt,
      AccountView account,
      List<SiteRoleView> sites,
      boolean twoFactorEnrolmentRequired) {}

  /** The password step of an account with two-factor sign-in: send a code with the challenge next. */
  record SecondFactorNeeded(boolean twoFactorRequired, String challenge, Instant challengeExpiresAt) {}

  record Renewed(String token, Instant expiresAt) {}

  record Me(AccountView account, List<SiteRoleView> sites, String scope, int recoveryCodesLeft) {}

  record Enrolment(String secret, String uri, String qrSvg) {}

  record Confirmed(List<String> recoveryCodes, String token, Instant expiresAt) {}

  @Override
  public Route routes() {
    return pathPrefix(
        segment("api").slash("auth"),
        () ->
            concat(
                path("login", () -> post(() -> withClientAddress(a -> withBody(b -> login(b, a))))),
                path(
                    segment("login").slash("2fa"),
                    () -> post(() -> withClientAddress(a -> withBody(b -> secondFactor(b, a))))),
                path("renew", () -> post(this::renew)),
                path("password", () -> post(() -> withBody(this::changePassword))),
                path("me", () -> get(this::me)),
                path(segment("2fa").slash("enrol"), () -> post(this::enrol)),
                path(
                    segment("2fa").slash("confirm"),
                    () -> post(() -> withClientAddress(a -> withBody(b -> confirm(b, a))))),
                path(segment("2fa").slash("disable"), () -> post(() -> withBody(this::disableTwoFactor)))));
  }

  // Login ------------------------------------------------------------------------------------------------------

  private Route login(RequestBody body, String address) {
    String username = body.requiredString("username", 1, Usernames.MAX_LENGTH);
    String password = body.requiredString("password", 1, Passwords.MAX_LENGTH);
    LoginThrottle.Reservation reservation = api.throttle().reserveLogin(username, address);
    if (reservation instanceof LoginThrottle.Refused refused) {
      throw tooManyFailures(refused);
    }
    LoginThrottle.Reserved reserved = (LoginThrottle.Reserved) reservation;
    CompletionStage<Account> checked =
        api.hashing()
            .submit(
                () -> {
                  Optional<Account> account =
                      Usernames.canonical(username).flatMap(name -> api.directory().accountByUsername(name));
                  if (account.isEmpty()) {
                    Passwords.burnCheck(password);
                    throw invalidCredentials();
                  }
                  if (!Passwords.matches(password, account.get().passwordHash())) {
                    api.audit().record(
                        api.clock().instant(), null, account.get().id(), "auth.sign-in-failed", null, address, null);
                    throw invalidCredentials();
                  }
                  reserved.refund();
                  if (account.get().disabled()) {
                    throw new ApiError(
                        403, ErrorCode.ACCOUNT_DISABLED, "this account is disabled; ask the site's admin", null);
                  }
                  return account.get();
                });
    return respond(
        refundIfUnchecked(checked, reserved)
            .thenApplyAsync(account -> afterPassword(account, address), api.blocking()));
  }

  /** What the password step answers: a session, or a challenge for the second factor. */
  private HttpResponse afterPassword(Account account, String address) {
    Instant now = api.clock().instant();
    if (account.twoFactorEnabled()) {
      Tokens.Issued challenge =
          api.tokens().issueChallenge(new Tokens.Challenge(account.id(), account.tokenVersion(), now));
      return json(200, new SecondFactorNeeded(true, challenge.token(), challenge.expiresAt()));
    }
    Tokens.Scope scope =
        api.directory().twoFactorRequiredFor(account.id()) ? Tokens.Scope.ENROL_TWO_FACTOR : Tokens.Scope.FULL;
    api.audit().record(now, null, account.id(), "auth.sign-in", null, address, "password");
    return session(account, new Tokens.AgentClaims(account.id(), account.tokenVersion(), now, scope));
  }

  private Route secondFactor(RequestBody body, String address) {
    String challengeToken = body.requiredString("challenge", 1, 4096);
    String code = body.requiredString("code", 1, 32);
    Tokens.Challenge challenge;
    try {
      challenge = api.tokens().verifyChallenge(challengeToken);
    } catch (Tokens.Refused refused) {
      throw ApiError.unauthorized(
          refused.expired() ? ErrorCode.TOKEN_EXPIRED : ErrorCode.INVALID_TOKEN,
          refused.expired() ? "the sign-in took too long; enter the password again" : "the challenge is not valid");
    }
    LoginThrottle.Reservation reservation = api.throttle().reserveCode(challenge.accountId(), address);
    if (reservation instanceof LoginThrottle.Refused refused) {
      throw tooManyFailures(refused);
    }
    return respond(
        blocking(
            () -> {
              Account account =
                  api.directory()
                      .account(challenge.accountId())
                      .filter(a -> !a.disabled() && a.tokenVersion() == challenge.tokenVersion())
                      .orElseThrow(() -> ApiError.unauthorized(ErrorCode.INVALID_TOKEN, AgentAccess.ACCESS_CHANGED));
              if (!secondFactorMatches(account.id(), code)) {
                api.audit().record(
                    api.clock().instant(), null, account.id(), "auth.sign-in-failed", null, address, "second factor");
                throw ApiError.unauthorized(ErrorCode.INVALID_CREDENTIALS, "wrong or already used code");
              }
              ((LoginThrottle.Reserved) reservation).refund();
              api.audit().record(
                  api.clock().instant(), null, account.id(), "auth.sign-in", null, address, "password and second factor");
              return session(
                  account,
                  new Tokens.AgentClaims(
                      account.id(), account.tokenVersion(), challenge.authTime(), Tokens.Scope.FULL));
            }));
  }

  /** A current TOTP code not used before, or an unused recovery code (which is then used up). */
  private boolean secondFactorMatches(String accountId, String code) {
    Optional<TwoFactorStore.Totp> totp = api.twoFactor().totp(accountId).filter(TwoFactorStore.Totp::enabled);
    if (totp.isEmpty()) {
      return false;
    }
    String digits = code.replace(" ", "");
    if (digits.matches("[0-9]{" + Totp.DIGITS + "}")) {
      byte[] secret = api.totpSecrets().open(totp.get().encryptedSecret(), accountId);
      OptionalLong step = Totp.match(secret, digits, api.clock().instant());
      return step.isPresent() && api.twoFactor().acceptStep(accountId, step.getAsLong());
    }
    return Totp.looksLikeRecoveryCode(code)
        && api.twoFactor().useRecoveryCode(accountId, Totp.recoveryCodeHash(accountId, code));
  }

  private HttpResponse session(Account account, Tokens.AgentClaims claims) {
    Tokens.Issued token = api.tokens().issueAgent(claims);
    List<Membership> memberships = api.directory().memberships(account.id());
    return json(
        200,
        new Session(
            token.token(),
            token.expiresAt(),
            AccountView.of(account),
            SiteRoleView.of(memberships),
            claims.scope() == Tokens.Scope.ENROL_TWO_FACTOR));
  }

  // Signed in ---------------------------------------------------------------------------------------------------

  private Route renew() {
    return authenticatedForEnrolment(
        principal ->
            blocking(
                () -> {
                  Tokens.AgentClaims claims = principal.claims();
                  if (!api.tokens().renewable(claims.authTime())) {
                    throw ApiError.unauthorized(
                        ErrorCode.TOKEN_EXPIRED,
                        "the session reached its limit of " + api.auth().maxSession().toDays()
                            + " days since the password was entered; log in again");
                  }
                  Tokens.Issued token = api.tokens().issueAgent(claims);
                  return json(200, new Renewed(token.token(), token.expiresAt()));
                }));
  }

  private Route me() {
    return authenticatedForEnrolment(
        principal ->
            blocking(
                () ->
                    json(
                        200,
                        new Me(
                            AccountView.of(principal.account()),
                            SiteRoleView.of(principal.memberships()),
                            principal.claims().scope().code(),
                            principal.account().twoFactorEnabled()
                                ? api.twoFactor().recoveryCodesLeft(principal.account().id())
                                : 0))));
  }

  private Route changePassword(RequestBody body) {
    String current = body.requiredString("currentPassword", 1, Passwords.MAX_LENGTH);
    String next = body.requiredString("newPassword", Passwords.MIN_LENGTH, Passwords.MAX_LENGTH);
    return authenticated(
        principal ->
            checkPassword(principal, current, () -> Passwords.hash(next))
                .thenComposeAsync(
                    hash -> {
                      long version =
                          api.directory().updatePasswordHash(principal.account().id(), hash).orElseThrow();
                      return freshSession(principal, version);
                    },
                    api.blocking()));
  }

  /**
   * Checks the signed-in caller's current password on the hashing pool (a failure reserved first, per account) and
   * then runs {@code then} there too.
   */
  private <T> CompletionStage<T> checkPassword(
      Principal principal, String password, java.util.function.Supplier<T> then) {
    LoginThrottle.Reservation reservation = api.throttle().reservePassword(principal.account().id());
    if (reservation instanceof LoginThrottle.Refused refused) {
      throw tooManyFailures(refused);
    }
    LoginThrottle.Reserved reserved = (LoginThrottle.Reserved) reservation;
    return refundIfUnchecked(
        api.hashing()
            .submit(
                () -> {
                  if (!Passwords.matches(password, principal.account().passwordHash())) {
                    throw ApiError.unauthorized(ErrorCode.INVALID_CREDENTIALS, "the current password is wrong");
                  }
                  reserved.refund();
                  return then.get();
                }),
        reserved);
  }

  /** Ends the caller's other tokens and connections (below {@code version}), then answers a fresh token. */
  private CompletionStage<HttpResponse> freshSession(Principal principal, long version) {
    String id = principal.account().id();
    return api.revocations()
        .endSessions(id, version)
        .thenApplyAsync(
            done -> {
              Account account = api.directory().account(id).orElseThrow();
              return session(
                  account,
                  new Tokens.AgentClaims(id, version, principal.claims().authTime(), principal.claims().scope()));
            },
            api.blocking());
  }

  // Two-factor sign-in ------------------------------------------------------------------------------------------

  private Route enrol() {
    return authenticatedForEnrolment(
        principal ->
            blocking(
                () -> {
                  Account account = principal.account();
                  byte[] secret = Totp.newSecret();
                  if (account.twoFactorEnabled()
                      || !api.twoFactor().startEnrolment(account.id(), api.totpSecrets().seal(secret, account.id()))) {
                    throw ApiError.conflict(null, "two-factor sign-in is on already; turn it off first");
                  }
                  String uri = Totp.uri(api.auth().totpIssuer(), account.username(), secret);
                  return json(200, new Enrolment(Totp.Base32.encode(secret), uri, Totp.qrSvg(uri)));
                }));
  }

  private Route confirm(RequestBody body, String address) {
    String code = body.requiredString("code", 1, 32).replace(" ", "");
    return authenticatedForEnrolment(
        principal -> {
          String id = principal.account().id();
          LoginThrottle.Reservation reservation = api.throttle().reserveCode(id, address);
          if (reservation instanceof LoginThrottle.Refused refused) {
            throw tooManyFailures(refused);
          }
          return blocking(
              () -> {
                TwoFactorStore.Totp totp =
                    api.twoFactor()
                        .totp(id)
                        .filter(t -> !t.enabled())
                        .orElseThrow(
                            () -> ApiError.conflict(null, "start with POST /api/auth/2fa/enrol (or it is on already)"));
                OptionalLong step =
                    Totp.match(api.totpSecrets().open(totp.encryptedSecret(), id), code, api.clock().instant());
                if (step.isEmpty()) {
                  throw ApiError.invalid("code", "the code is wrong or expired; use the newest one the app shows");
                }
                ((LoginThrottle.Reserved) reservation).refund();
                List<String> codes = Totp.newRecoveryCodes();
                if (!api.twoFactor()
                    .enable(
                        id,
                        step.getAsLong(),
                        codes.stream().map(c -> Totp.recoveryCodeHash(id, c)).toList(),
                        api.clock().instant())) {
                  throw ApiError.conflict(null, "two-factor sign-in is on already");
                }
                // Both factors are proven now: a token with full scope, from the same password login.
                Tokens.Issued token =
                    api.tokens()
                        .issueAgent(
                            new Tokens.AgentClaims(
                                id, principal.account().tokenVersion(), principal.claims().authTime(), Tokens.Scope.FULL));
                return json(200, new Confirmed(codes, token.token(), token.expiresAt()));
              });
        });
  }

  private Route disableTwoFactor(RequestBody body) {
    String password = body.requiredString("password", 1, Passwords.MAX_LENGTH);
    return authenticated(
        principal -> {
          String id = principal.account().id();
          return blocking(() -> api.directory().twoFactorRequiredFor(id))
              .thenCompose(
                  required -> {
                    if (required) {
                      throw ApiError.forbidden("a site you work for requires two-factor sign-in");
                    }
                    if (!principal.account().twoFactorEnabled()) {
                      throw ApiError.conflict(null, "two-factor sign-in is off already");
                    }
                    return checkPassword(principal, password, () -> Boolean.TRUE);
                  })
              .thenComposeAsync(
                  checked -> {
                    api.twoFactor().disable(id);
                    long version = api.directory().account(id).orElseThrow().tokenVersion();
                    return freshSession(principal, version);
                  },
                  api.blocking());
        });
  }

  // Helpers -----------------------------------------------------------------------------------------------------

  /** A guess that never reached the check (the hashing pool was full) gives its reservation back. */
  private static <T> CompletionStage<T> refundIfUnchecked(CompletionStage<T> checked, LoginThrottle.Reserved reserved) {
    return checked.whenComplete(
        (value, failure) -> {
          Throwable cause =
              failure instanceof java.util.concurrent.CompletionException && failure.getCause() != null
                  ? failure.getCause()
                  : failure;
          if (cause instanceof PasswordHashing.Overloaded) {
            reserved.refund();
          }
        });
  }

  private static ApiError tooManyFailures(LoginThrottle.Refused refused) {
    return ApiError.rateLimited("too many failed attempts; try again later", refused.retryAfterSeconds());
  }

  private static ApiError invalidCredentials() {
    return ApiError.unauthorized(ErrorCode.INVALID_CREDENTIALS, "wrong username or password");
  }
}
