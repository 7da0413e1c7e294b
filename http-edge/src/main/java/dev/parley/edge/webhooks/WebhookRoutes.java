package dev.parley.edge.webhooks;

import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import dev.parley.core.access.Permission;
import dev.parley.edge.ApiError;
import dev.parley.edge.admin.ApiContext;
import dev.parley.edge.admin.ApiRoutes;
import dev.parley.edge.admin.Principal;
import dev.parley.edge.admin.RequestBody;
import dev.parley.persistence.webhook.WebhookModel;
import dev.parley.persistence.webhook.Webhooks;
import java.net.URI;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code /api/sites/{siteId}/webhooks}: a site's admins subscribe URLs to events ({@link WebhookModel#TYPES}), read
 * each hook's delivery log, send a test delivery, and remove hooks. The secret that signs deliveries is shown once,
 * in the answer to the creation. Owners and admins only; other members 403, non-members 404.
 */
public final class WebhookRoutes extends ApiRoutes {

  /** Hooks one site may have. */
  public static final int MAX_HOOKS_PER_SITE = 20;
  public static final int MAX_URL_CHARS = 2_000;
  public static final int MAX_LOG_PAGE = 200;
  private static final SecureRandom RANDOM = new SecureRandom();

  private final Webhooks webhooks;

  public WebhookRoutes(ApiContext api, Webhooks webhooks) {
    super(api);
    this.webhooks = webhooks;
  }

  /** A new hook as its creator sees it, with its secret (the only time it is shown). */
  record Created(String id, String url, List<String> events, Instant createdAt, String secret) {}

  record HookView(String id, String url, List<String> events, String createdBy, Instant createdAt) {
    static HookView of(Webhooks.Hook h) {
      return new HookView(h.id(), h.url(), h.events(), h.createdBy(), h.createdAt());
    }
  }

  @Override
  public Route routes() {
    return underSite(
        siteId ->
            pathPrefix(
                "webhooks",
                () ->
                    concat(
                        pathEnd(() -> concat(get(() -> list(siteId)), post(() -> withBody(b -> create(siteId, b))))),
                        path(segment(), id -> delete(() -> remove(siteId, id))),
                        path(segment().slash("deliveries"), id -> get(() -> parameterMap(p -> log(siteId, id, p)))),
                        path(segment().slash("test"), id -> post(() -> test(siteId, id))))));
  }

  private Route list(String siteId) {
    return authenticated(principal -> blocking(() -> {
      admin(principal, siteId);
      return json(200, Map.of("webhooks", webhooks.list(siteId).stream().map(HookView::of).toList()));
    }));
  }

  private Route create(String siteId, RequestBody body) {
    String url = url(body.requiredString("url", 1, MAX_URL_CHARS));
    List<String> events = events(body.stringList("events", WebhookModel.TYPES.size(), 64));
    return authenticated(principal -> blocking(() -> {
      admin(principal, siteId);
      if (webhooks.list(siteId).size() >= MAX_HOOKS_PER_SITE) {
        throw ApiError.conflict("url", "a site has at most " + MAX_HOOKS_PER_SITE + " webhooks; remove one first");
      }
      byte[] key = new byte[32];
      RANDOM.nextBytes(key);
      String secret = HexFormat.of().formatHex(key);
      Webhooks.Hook hook = webhooks.create(siteId, url, events, secret, principal.account().id(), api.clock().instant());
      return json(201, new Created(hook.id(), hook.url(), hook.events(), hook.createdAt(), secret));
    }));
  }

  private Route remove(String siteId, String id) {
    return authenticated(principal -> blocking(() -> {
      admin(principal, siteId);
      if (!webhooks.delete(siteId, id, api.clock().instant())) {
        throw ApiError.notFound("no such webhook");
      }
      return json(200, Map.of("id", id, "deleted", true));
    }));
  }

  private Route log(String siteId, String id, Map<String, String> p) {
    long before = number(p, "before", 0, Long.MAX_VALUE, 0);
    int limit = (int) number(p, "limit", 1, MAX_LOG_PAGE, 50);
    return authenticated(principal -> blocking(() -> {
      admin(principal, siteId);
      webhooks.hook(siteId, id).orElseThrow(() -> ApiError.notFound("no such webhook"));
      List<Webhooks.Delivery> page = webhooks.deliveries(siteId, id, before, limit);
      Map<String, Object> out = new LinkedHashMap<>();
      out.put("deliveries", page);
      out.put("nextBefore", page.size() < limit ? null : page.get(page.size() - 1).id());
      return json(200, out);
    }));
  }

  private Route test(String siteId, String id) {
    return authenticated(principal -> blocking(() -> {
      admin(principal, siteId);
      long delivery = webhooks.enqueueTest(siteId, id, principal.account().id(), api.clock().instant())
          .orElseThrow(() -> ApiError.notFound("no such webhook"));
      return json(202, Map.of("deliveryId", delivery,
          "log", "/api/sites/" + siteId + "/webhooks/" + id + "/deliveries"));
    }));
  }

  private static void admin(Principal principal, String siteId) {
    if (!principal.isMemberOf(siteId)) {
      throw ApiError.notFound("no such site");
    }
    if (!principal.may(siteId, Permission.CONFIGURE_SITE)) {
      throw ApiError.forbidden("only the site's owners and admins manage its webhooks");
    }
  }

  /** An absolute http(s) URL with a host and no user information. */
  static String url(String raw) {
    try {
      URI uri = new URI(raw.strip());
      String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
      if ((scheme.equals("http") || scheme.equals("https")) && uri.getHost() != null && uri.getUserInfo() == null
          && uri.getFragment() == null) {
        return uri.toString();
      }
    } catch (java.net.URISyntaxException e) {
      // refused below
    }
    throw ApiError.invalid("url", "'url' is an http or https address such as https://example.com/hooks/parley");
  }

  static List<String> events(List<String> requested) {
    LinkedHashSet<String> events = new LinkedHashSet<>();
    for (String e : requested) {
      if (!WebhookModel.TYPES.contains(e)) {
        throw ApiError.invalid("events", "'" + e + "' is not an event; events are " + String.join(", ", WebhookModel.TYPES));
      }
      events.add(e);
    }
    if (events.isEmpty()) {
      throw ApiError.invalid("events", "name at least one event: " + String.join(", ", WebhookModel.TYPES));
    }
    return List.copyOf(events);
  }

  private static long number(Map<String, String> p, String name, long min, long max, long fallback) {
    String v = p.get(name);
    if (v == null || v.isBlank()) {
      return fallback;
    }
    try {
      long n = Long.parseLong(v.strip());
      if (n < min || n > max) {
        throw new NumberFormatException();
      }
      return n;
    } catch (NumberFormatException e) {
      throw ApiError.invalid(name, "'" + name + "' is a number from " + min + " to " + max);
    }
  }
}
