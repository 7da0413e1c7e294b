package dev.parley.edge.admin;

import dev.parley.edge.auth.Tokens;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.javadsl.server.RouteResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The audit log's entries for the HTTP API, written in one place so that no route can forget them: every change
 * (POST, PUT, PATCH, DELETE under {@code /api}) that succeeded, and every CSV export, with the caller's account, the
 * site from the path, and the client's address. The response waits for the entry. Routes that write a richer entry
 * themselves (sign-in, erasure, retention) are left to them; token renewal is not an action.
 *
 * <p>An action is {@code <resource>.<verb>} for a site's resources ({@code accounts.create}, {@code
 * routing.set}, {@code accounts.reset-password}), {@code site.create}/{@code site.update}, {@code auth.<step>} for
 * one's own account, {@code exports.download}; the target is the rest of the path. Request bodies are never
 * recorded (they hold passwords).
 */
public final class AuditTrail extends AllDirectives {

  private static final Logger log = LoggerFactory.getLogger(AuditTrail.class);
  /** Paths whose routes record their own entry, or that are no action. */
  private static final List<String> SELF_RECORDED =
      List.of("/api/auth/login", "/api/auth/login/2fa", "/api/auth/renew", "/api/sites");

  /** What an audited request is: the site (null for none), the action and its target. */
  public record Action(String siteId, String action, String target) {}

  private final ApiContext api;

  public AuditTrail(ApiContext api) {
    this.api = api;
  }

  /** {@code inner}, with an audit entry for each successful audited request. */
  public Route around(Supplier<Route> inner) {
    return extractRequest(
        request -> {
          Optional<Action> action = classify(request.method().name(), request.getUri().path());
          if (action.isEmpty()) {
            return inner.get();
          }
          return mapRouteResultFuture(
              result -> result.thenComposeAsync(r -> record(request, action.get(), r), api.blocking()), inner);
        });
  }

  private CompletionStage<RouteResult> record(HttpRequest request, Action action, RouteResult result) {
    if (result instanceof org.apache.pekko.http.javadsl.server.Complete complete && complete.getResponse().status().isSuccess()) {
      try {
        api.audit().record(
            api.clock().instant(), action.siteId(), actor(request), action.action(), action.target(),
            api.clientAddress().of(request), null);
      } catch (RuntimeException e) {
        // The change is made; a lost entry is logged loudly rather than turned into a failed request.
        log.error("Could not write the audit entry {} for site {}", action.action(), action.siteId(), e);
      }
    }
    return CompletableFuture.completedFuture(result);
  }

  private String actor(HttpRequest request) {
    return request
        .getHeader("Authorization")
        .map(h -> h.value())
        .filter(v -> v.regionMatches(true, 0, "Bearer ", 0, 7))
        .map(v -> {
          try {
            return api.tokens().verifyAgent(v.substring(7).trim()).accountId();
          } catch (Tokens.Refused refused) {
            return null;
          }
        })
        .orElse(null);
  }

  /** Whether and how a request is audited: a plain function of its method and path. */
  public static Optional<Action> classify(String method, String path) {
    String verb = switch (method.toUpperCase(Locale.ROOT)) {
      case "POST" -> "create";
      case "PUT" -> "set";
      case "PATCH" -> "update";
      case "DELETE" -> "delete";
      case "GET" -> "read";
      default -> null;
    };
    if (verb == null || !path.startsWith("/api/") || SELF_RECORDED.contains(path)) {
      return Optional.empty();
    }
    List<String> s = Arrays.stream(path.substring(1).split("/")).filter(p -> !p.isEmpty()).toList();
    if (verb.equals("read")) {
      boolean export = s.size() == 5 && s.get(1).equals("sites") && s.get(3).equals("exports") && s.get(4).endsWith(".csv");
      return export ? Optional.of(new Action(s.get(2), "exports.download", s.get(4))) : Optional.empty();
    }
    if (s.size() >= 2 && s.get(1).equals("auth")) {
      String step = String.join(".", s.subList(2, s.size()));
      return Optional.of(new Action(null, "auth." + (step.isEmpty() ? verb : step), null));
    }
    if (s.size() < 2 || !s.get(1).equals("sites")) {
      return Optional.empty();
    }
    if (s.size() == 2) {
      return Optional.empty(); // creating a site is recorded by SiteRoutes, in the new site's log
    }
    String site = s.get(2);
    if (s.size() == 3) {
      return Optional.of(new Action(site, "site." + verb, null));
    }
    String resource = s.get(3);
    if ((resource.equals("visitors") && verb.equals("delete")) || resource.equals("retention")) {
      return Optional.empty();
    }
    List<String> rest = s.subList(4, s.size());
    // A literal step after an id (accounts/{id}/reset-password) names the action; the ids are the target.
    String action = rest.size() >= 2 && !rest.get(rest.size() - 1).isEmpty() && rest.size() % 2 == 0
        ? resource + "." + rest.get(rest.size() - 1)
        : resource + "." + verb;
    return Optional.of(new Action(site, action, rest.isEmpty() ? null : String.join("/", rest)));
  }
}
