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
 * The HTTP calls an agent needs: log in, renew the token before it expires (protocol §7), and read a site's team
 * quick replies (OPERATIONS.md, admin API).
 */
public final class AuthApi {

  static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(15);

  /** A signed-in agent. {@code token} is kept in memory only. */
  public record Login(String token, Instant expiresAt, String accountId, String displayName) {}

  /** The server said no; {@code code} is from the protocol's error table (e.g. {@code invalid-credentials}). */
  public static final class Refused extends Exception {
    private final String code;

    Refused(String code, String message) {
      super(message);
      this.code = code;
    }

    public String code() {
      return code;
    }
  }

  private final HttpClient http;
  private final URI base;

  public AuthApi(HttpClient http, URI base) {
    this.http = http;
    this.base = base;
  }

  /** Blocking: call it off the EDT. */
  public Login login(String username, String password) throws IOException, InterruptedException, Refused {
    JsonNode body = post("/api/auth/login", null, Map.of("username", username, "password", password));
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
          error.path("code").asText("http-" + response.statusCode()), error.path("message").asText(""));
    }
    return json;
  }

  /** {@code http://host:port} or {@code https://…} → the agent WebSocket endpoint. */
  public static URI agentSocket(URI base) {
    String scheme = "https".equalsIgnoreCase(base.getScheme()) ? "wss" : "ws";
    return URI.create(scheme + "://" + base.getRawAuthority() + "/ws/agent");
  }
}
