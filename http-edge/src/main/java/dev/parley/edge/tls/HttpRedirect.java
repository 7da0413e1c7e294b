package dev.parley.edge.tls;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpMethods;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.Location;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.stream.javadsl.Flow;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The optional plain-HTTP port of a node that serves TLS: {@code GET} and {@code HEAD} get a permanent redirect
 * ({@code 308}) to the same path under the https public URL, everything else {@code 400}.
 *
 * <p>Why not redirect a {@code POST} too: its body (a password, a message) has already crossed the network in clear
 * by the time it arrives here; a redirect would make the mistake silent and repeat it on every request. Refusing it
 * makes the wrong address fail where someone notices. The target is the configured public URL, never the request's
 * {@code Host} header, which anyone can write.
 */
public final class HttpRedirect {

  private static final Logger log = LoggerFactory.getLogger(HttpRedirect.class);
  private static final Duration BIND_TIMEOUT = Duration.ofSeconds(60);

  private HttpRedirect() {}

  /**
   * Binds the redirect port of {@code settings}, if it has one, on {@code host}; blocks until bound and unbinds with
   * the node's coordinated shutdown.
   */
  public static Optional<ServerBinding> startIfConfigured(
      ActorSystem<?> system, String host, TlsSettings settings, String httpsPublicUrl, Duration headerTimeout)
      throws Exception {
    if (settings.redirectPort().isEmpty()) {
      return Optional.empty();
    }
    ServerBinding binding =
        bind(system, host, settings.redirectPort().getAsInt(), httpsPublicUrl, headerTimeout)
            .toCompletableFuture()
            .get(BIND_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    binding.addToCoordinatedShutdown(Duration.ofSeconds(5), system);
    log.info("Plain HTTP on {} redirects to {}", binding.localAddress(), httpsPublicUrl);
    return Optional.of(binding);
  }

  public static CompletionStage<ServerBinding> bind(
      ActorSystem<?> system, String host, int port, String httpsPublicUrl, Duration headerTimeout) {
    String base = httpsPublicUrl.endsWith("/") ? httpsPublicUrl.substring(0, httpsPublicUrl.length() - 1) : httpsPublicUrl;
    Flow<HttpRequest, HttpResponse, NotUsed> handler =
        Flow.<HttpRequest>create()
            .initialTimeout(headerTimeout)
            .map(
                request -> {
                  request.discardEntityBytes(system);
                  return answer(request, base);
                });
    return Http.get(system).newServerAt(host, port).bindFlow(handler);
  }

  static HttpResponse answer(HttpRequest request, String base) {
    boolean safe = request.method().equals(HttpMethods.GET) || request.method().equals(HttpMethods.HEAD);
    if (!safe) {
      return HttpResponse.create()
          .withStatus(StatusCodes.BAD_REQUEST)
          .addHeader(RawHeader.create("Cache-Control", "no-store"))
          .withEntity(
              ContentTypes.APPLICATION_JSON,
              "{\"error\":{\"code\":\"invalid-request\",\"message\":\"This server takes requests over https only: "
                  + base.replace("\\", "\\\\").replace("\"", "\\\"") + "\"}}");
    }
    String target = base + request.getUri().path() + request.getUri().rawQueryString().map(q -> "?" + q).orElse("");
    return HttpResponse.create()
        .withStatus(StatusCodes.PERMANENT_REDIRECT)
        .addHeader(Location.create(target));
  }
}
