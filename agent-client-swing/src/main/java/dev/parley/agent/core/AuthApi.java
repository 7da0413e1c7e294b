package dev.parley.agent.core;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The HTTP calls an agent needs: sign in (a password, then a code where the account has two-factor sign-in, or
 * setting two-factor sign-in up where a site demands it), renew the token before it expires (protocol §7), and read a
 * site's team quick replies (OPERATIONS.md, admin API).
 */
public final class AuthApi {

  static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(15);

  /** What the password step answered (protocol §7). */
  public sealed interface PasswordStep permits Login, SecondFactorNeeded, EnrolmentNeeded {}

  /** A signed-in agent. {@code token} is kept in memory only. */
  public record Login(String token, Instant expiresAt, String accountId, String displayName)
      implements PasswordStep {}

  /**
   * The password was right and the account has two-factor sign-in: {@link #secondFactor} with a code and this
   * challenge before {@code expiresAt} (5 minutes), or enter the password again.
   */
  public record SecondFactorNeeded(String challenge, Instant expiresAt) implements PasswordStep {}

  /**
   * The password was right, but a site the account works for demands two-factor sign-in and the account has none:
   * {@code enrolOnly}'s token allows nothing but {@link #enrol} and {@link #confirm}, whose answer signs in.
   */
  public record EnrolmentNeeded(Login enrolOnly) implements PasswordStep {}

  /** The secret of a new two-factor enrolment, as base32 and as the {@code otpauth://} link apps read. */
  public record Enrolment(String secret, String uri) {}

  /** Two-factor sign-in is on: a full session, and the recovery codes, which the server shows only this once. */
  public record Enrolled(Login login, List<String> recoveryCodes) {}

  /**
   * The server said no; {@code code} is from the protocol's error table (e.g. {@code invalid-credentials}),
   * {@code retryAfterSeconds} the server's {@code Retry-After} (429 and 503), or 0 when it sent none.
   */
  public static final class Refused extends Exception {
    private final int status;
    private final String code;
    private final long retryAfterSeconds;

    Refused(int status, String code, String message, long retryAfterSeconds) {
      super(message);
      this.status = status;
      this.code = code;
      this.retryAfterSeconds = retryAfterSeconds;
    }

    public int status() {
      return status;
    }

    public String code() {
      return code;
    }

    public long retryAfterSeconds() {
      return retryAfterSeconds;
    }
  }

  private final HttpClient http;
  private final URI base;

  public AuthApi(HttpClient http, URI base) {
    this.http = http;
    this.base = base;
  }

  /** Blocking: call it off the EDT. The password step of signing in. */
  public PasswordStep login(String username, String password) throws IOException, InterruptedException, Refused {
    JsonNode body = post("/api/auth/login", null, Map.of("username", username, "password", password));
    if (body.path("twoFactorRequired").asBoolean(false)) {
      return new SecondFactorNeeded(
          body.path("challenge").asText(), Instant.parse(body.path("challengeExpiresAt").asText()));
    }
    Login login = session(body);
    return body.path("twoFactorEnrolmentRequired").asBoolean(false) ? new EnrolmentNeeded(login) : login;
  }

  /**
   * Blocking: the second step, with the 6-digit code of the authenticator app or a recovery code. A wrong or used
   * code is refused with {@code invalid-credentials}, a challenge past its time with {@code token-expired}.
   */
  public Login secondFactor(SecondFactorNeeded step, String code) throws IOException, InterruptedException, Refused {
    return session(post("/api/auth/login/2fa", null, Map.of("challenge", step.challenge(), "code", code)));
  }

  /** Blocking: starts two-factor enrolment with an enrolment-only (or full) token. */
  public Enrolment enrol(Login login) throws IOException, InterruptedException, Refused {
    JsonNode body = post("/api/auth/2fa/enrol", login.token(), Map.of());
    return new Enrolment(body.path("secret").asText(), body.path("uri").asText());
  }

  /** Blocking: turns two-factor sign-in on with a current code; a wrong one is refused with {@code invalid-field}. */
  public Enrolled confirm(Login enrolOnly, String code) throws IOException, InterruptedException, Refused {
    JsonNode body = post("/api/auth/2fa/confirm", enrolOnly.token(), Map.of("code", code));
    List<String> codes = new ArrayList<>();
    body.path("recoveryCodes").forEach(c -> codes.add(c.asText()));
    Login full =
        new Login(
            body.path("token").asText(),
            Instant.parse(body.path("expiresAt").asText()),
            enrolOnly.accountId(),
            enrolOnly.displayName());
    return new Enrolled(full, List.copyOf(codes));
  }

  private static Login session(JsonNode body) {
    JsonNode account = body.path("account");
    return new Login(
        body.path("token").asText(),
        Instant.parse(body.path("expiresAt").asText()),
        account.path("id").asText(),
        account.path("displayName").asText(account.path("username").asText()));
  }

  /** Blocking: a fresh token for a still-valid one. */
  public Login renew(Login current) throws IOException, InterruptedException, Refused {
    JsonNode body = post("/api/auth/renew", current.token(), Map.of());
    return new Login(
        body.path("token").asText(),
        Instant.parse(body.path("expiresAt").asText()),
        current.accountId(),
        current.displayName());
  }

  /** Blocking: the team quick replies of one site the agent works for, in the server's order. */
  public List<QuickReplies.Reply> teamQuickReplies(String token, String siteId)
      throws IOException, InterruptedException, Refused {
    String path = "/api/sites/" + URLEncoder.encode(siteId, StandardCharsets.UTF_8) + "/quick-replies";
    List<QuickReplies.Reply> replies = new ArrayList<>();
    for (JsonNode r : exchange(HttpRequest.newBuilder(base.resolve(path)).GET(), token)) {
      if (replies.size() < QuickReplies.MAX_REPLIES && r.hasNonNull("text")) {
        replies.add(new QuickReplies.Reply(r.get("text").asText(), siteId, r.path("shortcut").asText(null)));
      }
    }
    return List.copyOf(replies);
  }

  /** A skill group of a site's routing: the id a transfer names, the name people read. */
  public record Group(String id, String name) {}

  /** Where a site's chats may be transferred, as its routing configuration lists them (PROTOCOL.md §10). */
  public record TransferTargets(List<Group> groups, List<String> agentIds) {}

  /**
   * Blocking: the groups of a site and the agents its routing names (group members and capacities), from
   * {@code GET /api/sites/{id}/routing} (any member of the site may read it). Bounded to 500 of each.
   */
  public TransferTargets transferTargets(String token, String siteId)
      throws IOException, InterruptedException, Refused {
    String path = "/api/sites/" + URLEncoder.encode(siteId, StandardCharsets.UTF_8) + "/routing";
    JsonNode routing = exchange(HttpRequest.newBuilder(base.resolve(path)).GET(), token);
    List<Group> groups = new ArrayList<>();
    java.util.Set<String> agents = new java.util.LinkedHashSet<>();
    for (JsonNode g : routing.path("groups")) {
      if (groups.size() < 500 && g.hasNonNull("id")) {
        groups.add(new Group(g.get("id").asText(), g.path("name").asText(g.get("id").asText())));
      }
      for (JsonNode m : g.path("members")) {
        if (agents.size() < 500 && m.isTextual()) {
          agents.add(m.asText());
        }
      }
    }
    routing.path("capacities").fieldNames().forEachRemaining(id -> {
      if (agents.size() < 500) {
        agents.add(id);
      }
    });
    return new TransferTargets(List.copyOf(groups), List.copyOf(agents));
  }

  /**
   * Blocking: the display name of an agent of {@code siteId} by account id ({@code GET /widget/agent}, public, the
   * same call the widget names agents with), or null when the id is no enabled account of the site (404).
   */
  public String agentName(String siteId, String agentId) throws IOException, InterruptedException, Refused {
    String path = "/widget/agent?site=" + URLEncoder.encode(siteId, StandardCharsets.UTF_8)
        + "&id=" + URLEncoder.encode(agentId, StandardCharsets.UTF_8);
    try {
      JsonNode named = exchange(HttpRequest.newBuilder(base.resolve(path)).GET(), null);
      return named.path("name").asText(null);
    } catch (Refused refused) {
      if (refused.status() == 404) {
        return null;
      }
      throw refused;
    }
  }

  private JsonNode post(String path, String token, Map<String, String> body)
      throws IOException, InterruptedException, Refused {
    return exchange(
        HttpRequest.newBuilder(base.resolve(path))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(Json.MAPPER.writeValueAsString(body))),
        token);
  }

  private JsonNode exchange(HttpRequest.Builder request, String token)
      throws IOException, InterruptedException, Refused {
    request.timeout(REQUEST_TIMEOUT);
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    JsonNode json = response.body().isBlank() ? Json.MAPPER.nullNode() : Json.MAPPER.readTree(response.body());
    if (response.statusCode() != 200) {
      JsonNode error = json.path("error");
      throw new Refused(
          response.statusCode(),
          error.path("code").asText("http-" + response.statusCode()),
          error.path("message").asText(""),
          retryAfterSeconds(response));
    }
    return json;
  }

  /** {@code Retry-After} in seconds (the server sends seconds, never a date); 0 when absent or unreadable. */
  private static long retryAfterSeconds(HttpResponse<?> response) {
    try {
      return Math.max(0, Long.parseLong(response.headers().firstValue("Retry-After").orElse("0").strip()));
    } catch (NumberFormatException dateOrJunk) {
      return 0;
    }
  }

  /** {@code http://host:port} or {@code https://…} → the agent WebSocket endpoint. */
  public static URI agentSocket(URI base) {
    String scheme = "https".equalsIgnoreCase(base.getScheme()) ? "wss" : "ws";
    return URI.create(scheme + "://" + base.getRawAuthority() + "/ws/agent");
  }
}
