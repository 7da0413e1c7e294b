package dev.parley.agent.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.eatthepath.otp.TimeBasedOneTimePasswordGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.agent.testing.Await;
import dev.parley.agent.testing.LiveServer;
import dev.parley.agent.testing.TappedHttpClient;
import java.io.ByteArrayOutputStream;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Signing in as PROTOCOL.md §7 has it, through the client's {@link AuthApi} (what the login window calls) against a
 * real server: accounts are created and enrolled through the real API, and codes are computed here as an
 * authenticator app computes them (java-otp). Also what ends a session: a password changed elsewhere.
 */
class TwoFactorSignInTest {

  private static final String PASSWORD = "correct horse battery";
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final Texts ENGLISH = new Texts(Texts.ENGLISH);
  private static LiveServer server;
  @TempDir Path dir;

  @BeforeAll
  static void start() {
    server = LiveServer.start();
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  @Test
  void anAccountWithTwoFactorSignInSignsInWithTheCodeOfItsAppAfterThePassword() throws Exception {
    LiveServer.Account account = newAgent("demo", "tf-code");
    String secret = enrol(server.login(account));
    AuthApi api = new AuthApi(HTTP, server.base());

    AuthApi.PasswordStep first = api.login(account.username(), account.password());
    assertThat(first).isInstanceOf(AuthApi.SecondFactorNeeded.class);
    AuthApi.SecondFactorNeeded step = (AuthApi.SecondFactorNeeded) first;
    assertThat(step.expiresAt()).isAfter(Instant.now());

    AuthApi.Refused wrong = refused(() -> api.secondFactor(step, wrongCode(secret)));
    assertThat(wrong.code()).isEqualTo("invalid-credentials");
    assertThat(LoginProblems.describe(ENGLISH, LoginProblems.Step.CODE, wrong))
        .isEqualTo(ENGLISH.get("login.wrongCode"));
    // The enrolment used this step's code, and each code signs in once: the next one, as the app shows it soon.
    AuthApi.Login login = api.secondFactor(step, code(secret, Instant.now().plusSeconds(30)));
    assertConnects(login);
  }

  @Test
  void aRecoveryCodeSignsInOnce() throws Exception {
    LiveServer.Account account = newAgent("demo", "tf-recovery");
    String token = server.login(account);
    String secret = server.request("POST", "/api/auth/2fa/enrol", token, null, 200).path("secret").asText();
    JsonNode confirmed =
        server.request("POST", "/api/auth/2fa/confirm", token, Map.of("code", code(secret, Instant.now())), 200);
    String recovery = confirmed.path("recoveryCodes").get(0).asText();
    AuthApi api = new AuthApi(HTTP, server.base());

    AuthApi.Login login =
        api.secondFactor(challenge(api, account), " " + recovery.toUpperCase(Locale.ROOT) + " ");
    AuthApi.Refused again = refused(() -> api.secondFactor(challenge(api, account), recovery));

    assertConnects(login);
    assertThat(again.code()).as("used up").isEqualTo("invalid-credentials");
  }

  @Test
  void wrongCodesAreThrottledAndTheClientSaysHowLongToWait() throws Exception {
    LiveServer.Account account = newAgent("demo", "tf-throttle");
    String secret = enrol(server.login(account));
    AuthApi api = new AuthApi(HTTP, server.base());
    AuthApi.SecondFactorNeeded step = challenge(api, account);

    AuthApi.Refused last = null;
    for (int guess = 0; guess < 20 && (last == null || !"rate-limited".equals(last.code())); guess++) {
      last = refused(() -> api.secondFactor(step, wrongCode(secret)));
      assertThat(last.code()).isIn("invalid-credentials", "rate-limited");
    }

    assertThat(last.code()).isEqualTo("rate-limited");
    assertThat(last.status()).isEqualTo(429);
    assertThat(last.retryAfterSeconds()).as("from Retry-After").isPositive();
    assertThat(LoginProblems.describe(ENGLISH, LoginProblems.Step.CODE, last))
        .isEqualTo(ENGLISH.get("login.throttled", LoginProblems.wait(ENGLISH, last.retryAfterSeconds())))
        .matches("Too many attempts: try again in [0-9]+ ?(s|min)\\.");
  }

  @Test
  void anAccountOfASiteThatRequiresTwoFactorSignInSetsItUpInTheClientAndSignsIn() throws Exception {
    LiveServer.Account account = agentOfARequiringSite("tf-enrol");
    AuthApi api = new AuthApi(HTTP, server.base());

    AuthApi.PasswordStep first = api.login(account.username(), account.password());
    assertThat(first).isInstanceOf(AuthApi.EnrolmentNeeded.class);
    AuthApi.Login enrolOnly = ((AuthApi.EnrolmentNeeded) first).enrolOnly();
    AuthApi.Enrolment enrolment = api.enrol(enrolOnly);
    assertThat(enrolment.uri()).startsWith("otpauth://totp/").contains("secret=" + enrolment.secret());
    AuthApi.Refused wrong = refused(() -> api.confirm(enrolOnly, wrongCode(enrolment.secret())));
    assertThat(LoginProblems.describe(ENGLISH, LoginProblems.Step.ENROL, wrong))
        .isEqualTo("Wrong or expired code: enter the newest code your app shows.");
    AuthApi.Enrolled enrolled = api.confirm(enrolOnly, code(enrolment.secret(), Instant.now()));

    assertThat(enrolled.recoveryCodes()).hasSize(10).doesNotHaveDuplicates();
    assertThat(enrolled.login().accountId()).isEqualTo(enrolOnly.accountId());
    assertThat(enrolled.login().token()).isNotEqualTo(enrolOnly.token());
    assertConnects(enrolled.login());
  }

  @Test
  void anEnrolmentOnlyTokenIsRefusedAtHelloAndTheClientStopsSayingWhy() throws Exception {
    LiveServer.Account account = agentOfARequiringSite("tf-hello");
    AuthApi.PasswordStep first = new AuthApi(HTTP, server.base()).login(account.username(), account.password());
    AuthApi.Login enrolOnly = ((AuthApi.EnrolmentNeeded) first).enrolOnly();
    List<String> ends = new CopyOnWriteArrayList<>();
    try (AgentClient agent = client(HTTP, enrolOnly)) {
      agent.workspace().addListener(loggedOutInto(ends));
      agent.start();
      Await.until("logged out", () -> !ends.isEmpty());
    }
    assertThat(ends).containsExactly("two-factor-enrolment-required");
    assertThat(LoginProblems.loggedOut(ENGLISH, ends.get(0))).isEqualTo(ENGLISH.get("login.enrolmentRequired"));
  }

  @Test
  void aDisabledAccountIsToldSo() throws Exception {
    LiveServer.Account account = newAgent("demo", "tf-disabled");
    AuthApi api = new AuthApi(HTTP, server.base());
    String id = ((AuthApi.Login) api.login(account.username(), account.password())).accountId();
    server.request("PATCH", "/api/sites/demo/accounts/" + id, server.login(server.admin()), Map.of("disabled", true), 200);

    AuthApi.Refused refused = refused(() -> api.login(account.username(), account.password()));

    assertThat(refused.code()).isEqualTo("account-disabled");
    assertThat(LoginProblems.describe(ENGLISH, LoginProblems.Step.PASSWORD, refused))
        .isEqualTo("This account is disabled: ask your site's admin.");
  }

  @Test
  void aPasswordChangedElsewhereEndsTheLiveConnectionAndTheClientStopsInsteadOfReconnecting() throws Exception {
    LiveServer.Account account = newAgent("demo", "tf-password");
    TappedHttpClient wire = new TappedHttpClient(HTTP);
    List<ConnectionState> states = new CopyOnWriteArrayList<>();
    List<String> ends = new CopyOnWriteArrayList<>();
    AgentClient agent = client(wire, (AuthApi.Login) new AuthApi(HTTP, server.base())
        .login(account.username(), account.password()));
    try {
      agent.workspace().addListener(loggedOutInto(ends));
      agent.workspace().addListener(new WorkspaceListener() {
        @Override
        public void connectionChanged(ConnectionState state, String detail) {
          states.add(state);
        }
      });
      agent.start();
      Await.until("online", () -> agent.workspace().connection() == ConnectionState.ONLINE);

      // Another device of the same person changes the password.
      server.request("POST", "/api/auth/password", server.login(account),
          Map.of("currentPassword", account.password(), "newPassword", "another password " + UUID.randomUUID()), 200);

      Await.until("logged out", () -> !ends.isEmpty());
      assertThat(ends).containsExactly("invalid-token");
      assertThat(LoginProblems.loggedOut(ENGLISH, ends.get(0))).startsWith("The account's access changed");
      assertThat(states).as("straight from online to logged out").containsSubsequence(
          ConnectionState.ONLINE, ConnectionState.LOGGED_OUT).doesNotContain(ConnectionState.RECONNECTING);
    } finally {
      agent.close(); // runs whatever the network thread still had queued, the server's close included
    }
    assertThat(states).as("nothing after logging out but stopping")
        .endsWith(ConnectionState.LOGGED_OUT, ConnectionState.STOPPED)
        .doesNotContain(ConnectionState.RECONNECTING);
    assertThat(wire.sent()).filteredOn(f -> "hello".equals(f.path("type").asText())).hasSize(1);
  }

  // Helpers --------------------------------------------------------------------------------------------------------

  private AgentClient client(HttpClient http, AuthApi.Login login) {
    return new AgentClient(
        http, server.base(), login, new Outbox(dir.resolve("outbox-" + login.accountId() + ".json")),
        Clock.systemUTC());
  }

  private static WorkspaceListener loggedOutInto(List<String> ends) {
    return new WorkspaceListener() {
      @Override
      public void connectionChanged(ConnectionState state, String detail) {
        if (state == ConnectionState.LOGGED_OUT) {
          ends.add(detail);
        }
      }
    };
  }

  /** The login works beyond HTTP: the client is welcomed on the agents' WebSocket with it. */
  private void assertConnects(AuthApi.Login login) {
    try (AgentClient agent = client(HTTP, login)) {
      agent.start();
      Await.until("online", () -> agent.workspace().connection() == ConnectionState.ONLINE);
    }
  }

  private static AuthApi.SecondFactorNeeded challenge(AuthApi api, LiveServer.Account account) throws Exception {
    return (AuthApi.SecondFactorNeeded) api.login(account.username(), account.password());
  }

  /** An agent of {@code site} with a known password, created by the site's manager through the API. */
  private static LiveServer.Account newAgent(String site, String prefix) {
    return newAgent(site, prefix, server.login(server.admin()));
  }

  private static LiveServer.Account newAgent(String site, String prefix, String managerToken) {
    JsonNode created = server.request("POST", "/api/sites/" + site + "/accounts", managerToken,
        Map.of("username", prefix + "-" + UUID.randomUUID().toString().substring(0, 8), "password", PASSWORD), 201);
    return new LiveServer.Account(created.path("account").path("username").asText(), PASSWORD);
  }

  /** Two-factor sign-in turned on through the API with a code of this moment; returns the base32 secret. */
  private static String enrol(String token) throws Exception {
    String secret = server.request("POST", "/api/auth/2fa/enrol", token, null, 200).path("secret").asText();
    server.request("POST", "/api/auth/2fa/confirm", token, Map.of("code", code(secret, Instant.now())), 200);
    return secret;
  }

  /**
   * An agent, without two-factor sign-in, of a new site whose owner (with it, as the server demands) requires it of
   * every member, as SECURITY.md describes; the operator steps out of the site first, leaving it to its owner.
   */
  private static LiveServer.Account agentOfARequiringSite(String prefix) throws Exception {
    String admin = server.login(server.admin());
    String site = "tf-" + UUID.randomUUID().toString().substring(0, 8);
    server.request("POST", "/api/sites", admin,
        Map.of("id", site, "name", "Site " + site, "allowedOrigins", List.of(server.origin())), 201);
    JsonNode owner = server.request("POST", "/api/sites/" + site + "/accounts", admin,
        Map.of("username", "boss-" + site, "role", "owner", "password", PASSWORD), 201);
    String operatorId = server.request("GET", "/api/auth/me", admin, null, 200).path("account").path("id").asText();
    server.request("DELETE", "/api/sites/" + site + "/accounts/" + operatorId, admin, null, 200);
    String ownerToken =
        server.login(new LiveServer.Account(owner.path("account").path("username").asText(), PASSWORD));
    enrol(ownerToken);
    LiveServer.Account agent = newAgent(site, prefix, ownerToken);
    server.request("PATCH", "/api/sites/" + site, ownerToken, Map.of("twoFactorRequired", true), 200);
    return agent;
  }

  private static AuthApi.Refused refused(org.assertj.core.api.ThrowableAssert.ThrowingCallable call) {
    AuthApi.Refused refused = catchThrowableOfType(AuthApi.Refused.class, call);
    assertThat(refused).as("refused by the server").isNotNull();
    return refused;
  }

  /** What an authenticator app shows at {@code at} for this base32 secret. */
  private static String code(String base32Secret, Instant at) throws Exception {
    return new TimeBasedOneTimePasswordGenerator(Duration.ofSeconds(30), 6)
        .generateOneTimePasswordString(new SecretKeySpec(base32(base32Secret), "HmacSHA1"), at, Locale.ROOT);
  }

  /** Six digits that are none of the codes the server accepts now (one step of tolerance either side). */
  private static String wrongCode(String base32Secret) throws Exception {
    Instant now = Instant.now();
    Set<String> right = Set.of(
        code(base32Secret, now.minusSeconds(30)), code(base32Secret, now), code(base32Secret, now.plusSeconds(30)),
        code(base32Secret, now.plusSeconds(60)));
    for (int n = 0; ; n++) {
      String candidate = String.format(Locale.ROOT, "%06d", n);
      if (!right.contains(candidate)) {
        return candidate;
      }
    }
  }

  /** RFC 4648 base32, written here independently of the server's. */
  private static byte[] base32(String text) {
    String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    long buffer = 0;
    int bits = 0;
    for (char c : text.toCharArray()) {
      buffer = (buffer << 5) | alphabet.indexOf(c);
      bits += 5;
      if (bits >= 8) {
        out.write((int) (buffer >> (bits - 8)) & 0xff);
        bits -= 8;
      }
    }
    return out.toByteArray();
  }
}
