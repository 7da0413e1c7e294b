package dev.parley.edge.transport;

import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import dev.parley.edge.ErrorMapping;
import dev.parley.edge.SiteCache;
import dev.parley.edge.admission.Admission;
import dev.parley.edge.admission.ClientAddress;
import dev.parley.edge.protocol.ErrorCode;
import dev.parley.edge.session.Client;
import dev.parley.edge.session.InboundFrame;
import dev.parley.edge.session.Session;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiFunction;
import org.apache.pekko.http.javadsl.marshalling.sse.EventStreamMarshalling;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.javadsl.unmarshalling.Unmarshaller;

/**
 * Where clients connect. Every transport carries the same frames to the same kind of {@link Session}:
 *
 * <ul>
 *   <li>{@code /ws/visitor?site=ID} and {@code /ws/agent}: WebSocket;
 *   <li>{@code GET /sse/visitor?site=ID}: Server-Sent Events down, {@code POST /rt/CID} up;
 *   <li>{@code POST /lp/visitor?site=ID}, then {@code GET /lp/CID?cursor=N}: long polling, {@code POST /rt/CID} up.
 * </ul>
 *
 * <p>Visitors are accepted from the site's allowed origins and from this server's own pages (which serve the
 * widget's panel); a browser request without an Origin header is accepted only where browsers omit it for
 * same-origin requests (the event stream's GET). Agents connect from the desktop client (no Origin) or this
 * server's own pages.
 */
public final class ConnectionRoutes extends AllDirectives {

  private final Gateway gateway;
  private final SiteCache sites;
  private final Set<String> ownOrigins;
  private final HttpConnections connections;
  private final Admission admission;
  private final ClientAddress clientAddress;

  public ConnectionRoutes(
      Gateway gateway, SiteCache sites, Set<String> ownOrigins, Admission admission, ClientAddress clientAddress) {
    this.gateway = gateway;
    this.sites = sites;
    this.ownOrigins = ownOrigins;
    this.admission = admission;
    this.clientAddress = clientAddress;
    this.connections = new HttpConnections(gateway.system(), admission.settings());
  }

  public Route routes() {
    return concat(
        path(
            segment("ws").slash("visitor"),
            () ->
                visitorSite(
                    false,
                    (siteId, origin) ->
                        client(
                            siteId,
                            client ->
                                handleWebSocketMessages(
                                    gateway.connection(Session.Role.VISITOR, siteId, client))))),
        path(segment("ws").slash("agent"), () -> optionalHeaderValueByName("Origin", this::agent)),
        path(segment("sse").slash("visitor"), () -> get(() -> visitorSite(true, this::eventStream))),
        path(segment("lp").slash("visitor"), () -> post(() -> visitorSite(false, this::openLongPoll))),
        path(
            segment("lp").slash(segment()),
            cid -> get(() -> parameterOptional("cursor", cursor -> poll(cid, cursor)))),
        path(
            segment("rt").slash(segment()),
            cid -> post(() -> optionalHeaderValueByName("Origin", origin -> receive(cid, origin)))));
  }

  // Checks ------------------------------------------------------------------------------------------------------

  /** The site named by {@code ?site=}, if the request's origin may open its chat. */
  private Route visitorSite(boolean originMayBeAbsent, BiFunction<String, Optional<String>, Route> inner) {
    return parameterOptional(
        "site",
        site ->
            optionalHeaderValueByName(
                "Origin",
                origin ->
                    onSuccess(
                        sites.get(site.orElse("")),
                        found -> {
                          if (found.isEmpty()) {
                            return complete(
                                ErrorMapping.response(404, ErrorCode.UNKNOWN_SITE, "no site with that id", "site"));
                          }
                          boolean allowed =
                              origin.isEmpty()
                                  ? originMayBeAbsent
                                  : found.get().allowedOrigins().contains(origin.get())
                                      || ownOrigins.contains(origin.get());
                          if (!allowed) {
                            return complete(
                                ErrorMapping.response(
                                    403,
                                    ErrorCode.ORIGIN_NOT_ALLOWED,
                                    "this page's origin may not open the chat of this site",
                                    null));
                          }
                          return inner.apply(found.get().id(), origin);
                        })));
  }

  /**
   * The client of a long-lived connection: its address (after trusted proxies) and User-Agent, with a connection
   * slot from admission control, or a 429/503 refusal with Retry-After. {@code siteId} is null for agents.
   */
  private Route client(String siteId, java.util.function.Function<Client, Route> inner) {
    return address(
        address ->
            optionalHeaderValueByName(
                "User-Agent",
                agent -> {
                  Admission.Result<Admission.Permit> slot = admission.connect(address, siteId);
                  if (!slot.admitted()) {
                    return complete(ErrorMapping.refusal(slot.refusal()));
                  }
                  return inner.apply(new Client(address, agent.orElse(null), slot.value()));
                }));
  }

  /** The client's address: the peer, or from X-Forwarded-For when the peer is a trusted proxy. */
  private Route address(java.util.function.Function<String, Route> inner) {
    return extractRequest(request -> inner.apply(clientAddress.of(request)));
  }

  private Route agent(Optional<String> origin) {
    if (origin.isPresent() && !ownOrigins.contains(origin.get())) {
      return complete(
          ErrorMapping.response(
              403, ErrorCode.ORIGIN_NOT_ALLOWED, "agents connect from the desktop client or this server's pages", null));
    }
    return client(null, client -> handleWebSocketMessages(gateway.connection(Session.Role.AGENT, null, client)));
  }

  // Fallback transports -----------------------------------------------------------------------------------------

  private Route eventStream(String siteId, Optional<String> origin) {
    return fallbackClient(
        siteId,
        client ->
            respondWithHeaders(
                java.util.List.of(
                    RawHeader.create("Cache-Control", "no-cache"),
                    // nginx and some proxies buffer responses unless told not to; an event stream must flow.
                    RawHeader.create("X-Accel-Buffering", "no")),
                () ->
                    completeOK(
                        gateway.eventStream(siteId, origin.orElse(null), client, connections),
                        EventStreamMarshalling.toEventStream())));
  }

  private Route openLongPoll(String siteId, Optional<String> origin) {
    return fallbackClient(
        siteId,
        client -> {
          PollOutbound poll = new PollOutbound(gateway.deps().settings().maxOutboundFrames());
          String cid =
              connections.register(
                  gateway.startSession(Session.Role.VISITOR, siteId, client, poll),
                  poll,
                  poll,
                  origin.orElse(null),
                  client.address(),
                  siteId);
          return complete(json(200, "{\"cid\":\"" + cid + "\",\"cursor\":0}"));
        });
  }

  /** As {@link #client}, and within the fallback table's shares for the address and the site. */
  private Route fallbackClient(String siteId, java.util.function.Function<Client, Route> inner) {
    return address(
        address -> {
          Optional<Admission.Refusal> refusal = connections.admit(address, siteId);
          if (refusal.isPresent()) {
            return complete(ErrorMapping.refusal(refusal.get()));
          }
          return client(siteId, inner);
        });
  }

  private Route poll(String cid, Optional<String> cursorParam) {
    long cursor;
    try {
      cursor = Long.parseLong(cursorParam.orElse("0"));
    } catch (NumberFormatException e) {
      cursor = -1;
    }
    if (cursor < 0) {
      return complete(
          ErrorMapping.response(400, ErrorCode.INVALID_FIELD, "cursor must be a non-negative integer", "cursor"));
    }
    Optional<HttpConnections.Connection> connection = connections.get(cid);
    if (connection.isEmpty() || connection.get().poll == null) {
      return complete(unknownConnection());
    }
    return onSuccess(
        connection.get().poll.poll(cursor, HttpConnections.POLL_WAIT),
        batch -> {
          StringBuilder body = new StringBuilder(64 + batch.frames().size() * 128);
          body.append("{\"cursor\":").append(batch.cursor()).append(",\"frames\":[");
          for (int i = 0; i < batch.frames().size(); i++) {
            body.append(i == 0 ? "" : ",").append(batch.frames().get(i));
          }
          body.append("],\"closed\":").append(batch.closed()).append('}');
          return respondWithHeader(
              RawHeader.create("Cache-Control", "no-store"), () -> complete(json(200, body.toString())));
        });
  }

  /**
   * Frames for an existing connection. Its id is the credential; a browser page may use it only from the origin
   * that opened it or from this server's own pages.
   */
  private Route receive(String cid, Optional<String> origin) {
    Optional<HttpConnections.Connection> connection = connections.get(cid);
    if (connection.isEmpty()) {
      return complete(unknownConnection());
    }
    if (origin.isPresent()
        && !ownOrigins.contains(origin.get())
        && !origin.get().equals(connection.get().origin)) {
      return complete(
          ErrorMapping.response(
              403, ErrorCode.ORIGIN_NOT_ALLOWED, "this page's origin may not use this connection", null));
    }
    int maxFrame = gateway.deps().settings().maxFrameBytes();
    long maxBody = (long) maxFrame * 4;
    return withSizeLimit(
        maxBody,
        () ->
            entity(
                Unmarshaller.entityToString(),
                body -> {
                  java.util.List<InboundFrame> frames = HttpConnections.split(body, maxFrame);
                  if (frames.size() > HttpConnections.MAX_FRAMES_PER_POST) {
                    return complete(
                        ErrorMapping.response(
                            400,
                            ErrorCode.INVALID_REQUEST,
                            "at most " + HttpConnections.MAX_FRAMES_PER_POST + " frames per request",
                            null));
                  }
                  return onSuccess(
                      connections.deliver(cid, frames),
                      delivery ->
                          switch (delivery) {
                            case DELIVERED -> complete(json(202, "{\"accepted\":true}"));
                            case UNKNOWN_CONNECTION -> complete(unknownConnection());
                            case TIMED_OUT -> complete(
                                ErrorMapping.response(
                                    503, ErrorCode.UNAVAILABLE, "the connection is busy; send again", null));
                          });
                }));
  }

  private static HttpResponse json(int status, String body) {
    return HttpResponse.create()
        .withStatus(status)
        .withEntity(HttpEntities.create(ContentTypes.APPLICATION_JSON, body));
  }

  private static HttpResponse unknownConnection() {
    return ErrorMapping.response(
        404, ErrorCode.UNKNOWN_CONNECTION, "no such connection, or it has ended; connect again", null);
  }

}
