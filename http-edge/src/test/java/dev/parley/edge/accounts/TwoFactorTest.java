package dev.parley.edge.accounts;

import static org.assertj.core.api.Assertions.assertThat;

import com.eatthepath.otp.TimeBasedOneTimePasswordGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.edge.testing.ServerTest;
import dev.parley.edge.testing.TestServer;
import dev.parley.edge.testing.WireClient;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

/**
 * Two-factor sign-in: enrol, confirm, a two-step login with a real TOTP code computed here by java-otp, single-use
 * codes, recovery codes, and a site that makes it mandatory.
 */
class TwoFactorTest extends ServerTest {

  private static final String PASSWORD = "correct horse battery";
  private static final Duration WAIT = Duration.ofSeconds(10);

  /** What an authenticator app computes from the enrolment's base32 secret. */
  private static String code(String base32Secret, Instant at) throws Exception {
    byte[] key = base32(base32Secret);
    return new TimeBasedOneTimePasswordGenerator(Duration.ofSeconds(30), 6)
        .generateOneTimePasswordString(new SecretKeySpec(key, "HmacSHA1"), at, Locale.ROOT);
  }

  /** RFC 4648 base32, written here independently of the server's. */
  private static byte[] base32(String text) {
    String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
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

  private record Enrolled(String username, String secret, JsonNode recoveryCodes) {}

  private static String newAgent(String site) {
    return newAgent(site, adminToken);
  }

  private static String newAgent(String site, String managerToken) {
    var created =
        server.request(
            "POST", "/api/sites/" + site + "/accounts", managerToken,
            Map.of("username", unique("tf"), "password", PASSWORD));
    assertThat(created.status()).isEqualTo(201);
    return created.body().path("account").path("username").asText();
  }

  private static Enrolled enrolled(String username, String token) throws Exception {
    var enrol = server.request("POST", "/api/auth/2fa/enrol", token, null);
    assertThat(enrol.status()).isEqualTo(200);
    String secret = enrol.body().path("secret").asText();
    var confirmed =
        server.request("POST", "/api/auth/2fa/confirm", token, Map.of("code", code(secret, Instant.now())));
    assertThat(confirmed.status()).as("confirm: %s", confirmed.body()).isEqualTo(200);
    return new Enrolled(username, secret, confirmed.body().path("recoveryCodes"));
  }

  private static TestServer.Response passwordStep(String username) {
    return server.request("POST", "/api/auth/login", null, Map.of("username", username, "password", PASSWORD));
  }

  private static TestServer.Response codeStep(String challenge, String code) {
    return server.request("POST", "/api/auth/login/2fa", null, Map.of("challenge", challenge, "code", code));
  }

  @Test
  void enrolConfirmAndSignInInTwoStepsWithACodeUsedOnce() throws Exception {
    String username = newAgent("demo");
    String token = server.login(username, PASSWORD);
    var enrol = server.request("POST", "/api/auth/2fa/enrol", token, null);
    String secret = enrol.body().path("secret").asText();
    var wrong = server.request("POST", "/api/auth/2fa/confirm", token, Map.of("code", "000000"));
    var confirmed =
        server.request("POST", "/api/auth/2fa/confirm", token, Map.of("code", code(secret, Instant.now())));
    var again = server.request("POST", "/api/auth/2fa/enrol", token, null);
    var me = server.request("GET", "/api/auth/me", token, null);

    assertThat(enrol.body().path("uri").asText()).startsWith("otpauth://totp/Parley:").contains("secret=" + secret);
    assertThat(enrol.body().path("qrSvg").asText()).startsWith("<svg");
    assertThat(wrong.status()).isEqualTo(400);
    assertThat(confirmed.status()).isEqualTo(200);
    assertThat(confirmed.body().path("recoveryCodes")).hasSize(10);
    assertThat(again.status()).as("a second enrolment needs 2FA off first").isEqualTo(409);
    assertThat(me.body().path("account").path("twoFactorEnabled").asBoolean()).isTrue();
    assertThat(me.body().toString()).doesNotContain(secret);

    var first = passwordStep(username);
    assertThat(first.status()).isEqualTo(200);
    assertThat(first.body().path("twoFactorRequired").asBoolean()).isTrue();
    assertThat(first.body().has("token")).isFalse();
    String challenge = first.body().path("challenge").asText();
    // The confirmation used this step's code; the next step's is the one an app shows a moment later.
    String next = code(secret, Instant.now().plusSeconds(30));
    var signedIn = codeStep(challenge, next);
    var replayed = codeStep(passwordStep(username).body().path("challenge").asText(), next);
    var forgedChallenge = codeStep(token, next);

    assertThat(signedIn.status()).as("code step: %s", signedIn.body()).isEqualTo(200);
    assertThat(signedIn.body().path("account").path("username").asText()).isEqualTo(username);
    assertThat(replayed.status()).isEqualTo(401);
    assertThat(replayed.body().path("error").path("code").asText()).isEqualTo("invalid-credentials");
    assertThat(forgedChallenge.status()).as("an agent token is no challenge").isEqualTo(401);
    assertThat(server.request("GET", "/api/sites", signedIn.body().path("token").asText(), null).status())
        .isEqualTo(200);
  }

  @Test
  void aRecoveryCodeWorksOnce() throws Exception {
    String username = newAgent("demo");
    Enrolled enrolled = enrolled(username, server.login(username, PASSWORD));
    String recovery = enrolled.recoveryCodes().get(3).asText();

    var used = codeStep(passwordStep(username).body().path("challenge").asText(), recovery.toUpperCase(Locale.ROOT));
    var usedAgain = codeStep(passwordStep(username).body().path("challenge").asText(), recovery);
    var me = server.request("GET", "/api/auth/me", used.body().path("token").asText(), null);

    assertThat(used.status()).isEqualTo(200);
    assertThat(usedAgain.status()).isEqualTo(401);
    assertThat(me.body().path("recoveryCodesLeft").asInt()).isEqualTo(9);
  }

  @Test
  void anOwnerMakesTwoFactorMandatoryAndMembersWithoutItMayOnlyEnrol() throws Exception {
    String site = unique("tfsite");
    server.createSite(adminToken, site);
    var owner =
        server.request("POST", "/api/sites/" + site + "/accounts", adminToken,
            Map.of("username", unique("tfboss"), "role", "owner", "password", PASSWORD));
    String ownerName = owner.body().path("account").path("username").asText();
    // The operator steps out of the tenant's site (which ends its tokens), leaving it to its owner.
    String operatorId = server.server().directory().accountByUsername("admin").orElseThrow().id();
    assertThat(server.request("DELETE", "/api/sites/" + site + "/accounts/" + operatorId, adminToken, null).status())
        .isEqualTo(200);
    adminToken = server.adminToken();
    String ownerToken = server.login(ownerName, PASSWORD);
    var ownerWithout2fa = server.request("PATCH", "/api/sites/" + site, ownerToken, Map.of("twoFactorRequired", true));
    enrolled(ownerName, ownerToken);
    String username = newAgent(site, ownerToken);
    String before = server.login(username, PASSWORD);
    var adminCreated =
        server.request("POST", "/api/sites/" + site + "/accounts", ownerToken,
            Map.of("username", "tfadm", "role", "admin", "password", PASSWORD));
    String siteAdmin = server.login(adminCreated.body().path("account").path("username").asText(), PASSWORD);

    var byAdmin = server.request("PATCH", "/api/sites/" + site, siteAdmin, Map.of("twoFactorRequired", true));
    var byOwner = server.request("PATCH", "/api/sites/" + site, ownerToken, Map.of("twoFactorRequired", true));
    var oldToken = server.request("GET", "/api/sites", before, null);
    var login = passwordStep(username);
    String enrolOnly = login.body().path("token").asText();
    var elsewhere = server.request("GET", "/api/sites", enrolOnly, null);

    assertThat(ownerWithout2fa.status()).isEqualTo(409);
    assertThat(byAdmin.status()).isEqualTo(403);
    assertThat(byOwner.status()).isEqualTo(200);
    assertThat(byOwner.body().path("twoFactorRequired").asBoolean()).isTrue();
    assertThat(server.request("GET", "/api/sites", ownerToken, null).status())
        .as("an owner with 2FA keeps working").isEqualTo(200);
    assertThat(oldToken.status()).isEqualTo(401);
    assertThat(login.body().path("twoFactorEnrolmentRequired").asBoolean()).isTrue();
    assertThat(elsewhere.status()).isEqualTo(403);
    assertThat(elsewhere.body().path("error").path("code").asText()).isEqualTo("two-factor-enrolment-required");
    try (WireClient agent = WireClient.connect(server.agentUri(), null)) {
      agent.send(WireClient.frame("hello").put("token", enrolOnly));
      assertThat(agent.awaitType("error", WAIT).path("code").asText()).isEqualTo("two-factor-enrolment-required");
    }

    var enrol = server.request("POST", "/api/auth/2fa/enrol", enrolOnly, null);
    var confirmed =
        server.request(
            "POST", "/api/auth/2fa/confirm", enrolOnly,
            Map.of("code", code(enrol.body().path("secret").asText(), Instant.now())));
    String full = confirmed.body().path("token").asText();
    var disable = server.request("POST", "/api/auth/2fa/disable", full, Map.of("password", PASSWORD));

    assertThat(server.request("GET", "/api/sites", full, null).status()).isEqualTo(200);
    assertThat(disable.status()).as("the site demands it").isEqualTo(403);
    try (WireClient agent = WireClient.connect(server.agentUri(), null)) {
      agent.send(WireClient.frame("hello").put("token", full));
      agent.awaitType("welcome", WAIT);
    }
  }
}
