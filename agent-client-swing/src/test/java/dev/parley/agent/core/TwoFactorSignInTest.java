package dev.parley.agent.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.agent.testing.Await;
import dev.parley.agent.testing.AuthenticatorApp;
import dev.parley.agent.testing.LiveServer;
import dev.parley.agent.testing.TappedHttpClient;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
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
    LiveServer.Account account = server.newAgent("demo", "tf-code", adminToken());
    String secret = server.enrolTwoFactor(server.login(account));
    AuthApi api = new AuthApi(HTTP, server.base());

    AuthApi.PasswordStep first = api.login(account.username(), account.password());
    assertThat(first).isInstanceOf(AuthApi.SecondFactorNeeded.class);
    AuthApi.SecondFactorNeeded step = (AuthApi.SecondFactorNeeded) first;
    assertThat(step.expiresAt()).isAfter(Instant.now());

    AuthApi.Refused wrong = refused(() -> api.secondFactor(step, AuthenticatorApp.wrongCode(secret)));
    assertThat(wrong.code()).isEqualTo("invalid-credentials");
    assertThat(LoginProblems.describe(ENGLISH, LoginProblems.Step.CODE, wrong))
        .isEqualTo(ENGLISH.get("login.wrongCode"));
    // The enrolment used this step's code, and each code signs in once: the next one, as the app shows it soon.
    AuthApi.Login login = api.secondFactor(step, AuthenticatorApp.code(secret, Instant.now().plusSeconds(30)));
    assertConnects(login);
  }

  @Test
  void aRecoveryCodeSignsInOnce() throws Exception {
    LiveServer.Account account = server.newAgent("demo", "tf-recovery", adminToken());
    String token = server.login(account);
    String secret = server.request("POST", "/api/auth/2fa/enrol", token, null, 200).path("secret").asText();
    JsonNode confirmed =
        server.request(
            "POST", "/api/auth/2fa/confirm", token, Map.of("code", AuthenticatorApp.code(secret, Instant.now())), 200);
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
    LiveServer.Account account = server.newAgent("demo", "tf-throttle", adminToken());
    String secret = server.enrolTwoFactor(server.login(account));
    AuthApi api = new AuthApi(HTTP, server.base());
    AuthApi.SecondFactorNeeded step = challenge(api, account);

    AuthApi.Refused last = null;
    for (int guess = 0; guess < 20 && (last == null || !"rate-limited".equals(last.code())); guess++) {
      last = refused(() -> api.secondFactor(step, AuthenticatorApp.wrongCode(secret)));
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
    LiveServer.Account account = server.agentOfASiteRequiringTwoFactor("tf-enrol");
    AuthApi api = new AuthApi(HTTP, server.base());

    AuthApi.PasswordStep first = api.login(account.username(), account.password());
    assertThat(first).isInstanceOf(AuthApi.EnrolmentNeeded.class);
    AuthApi.Login enrolOnly = ((AuthApi.EnrolmentNeeded) first).enrolOnly();
    AuthApi.Enrolment enrolment = api.enrol(enrolOnly);
    assertThat(enrolment.uri()).startsWith("otpauth://totp/").contains("secret=" + enrolment.secret());
    AuthApi.Refused wrong = refused(() -> api.confirm(enrolOnly, AuthenticatorApp.wrongCode(enrolment.secret())));
    assertThat(LoginProblems.describe(ENGLISH, LoginProblems.Step.ENROL, wrong))
        .isEqualTo("Wrong or expired code: enter the newest code your app shows.");
    AuthApi.Enrolled enrolled = api.confirm(enrolOnly, AuthenticatorApp.code(enrolment.secret(), Instant.now()));

    assertThat(enrolled.recoveryCodes()).hasSize(10).doesNotHaveDuplicates();
    assertThat(enrolled.login().accountId()).isEqualTo(enrolOnly.accountId());
    assertThat(enrolled.login().token()).isNotEqualTo(enrolOnly.token());
    assertConnects(enrolled.login());
  }

  @Test
  void anEnrolmentOnlyTokenIsRefusedAtHelloAndTheClientStopsSayingWhy() throws Exception {
    LiveServer.Account account = server.agentOfASiteRequiringTwoFactor("tf-hello");
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
    LiveServer.Account account = server.newAgent("demo", "tf-disabled", adminToken());
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
    LiveServer.Account account = server.newAgent("demo", "tf-password", adminToken());
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

  private static String adminToken() {
    return server.login(server.admin());
  }

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

  private static AuthApi.Refused refused(org.assertj.core.api.ThrowableAssert.ThrowingCallable call) {
    AuthApi.Refused refused = catchThrowableOfType(AuthApi.Refused.class, call);
    assertThat(refused).as("refused by the server").isNotNull();
    return refused;
  }
}
