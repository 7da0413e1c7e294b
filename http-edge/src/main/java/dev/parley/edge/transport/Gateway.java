package dev.parley.edge.transport;

import dev.parley.edge.session.Client;
import dev.parley.edge.session.InboundFrame;
import dev.parley.edge.session.Outbound;
import dev.parley.edge.session.Session;
import dev.parley.edge.session.SessionDeps;
import java.time.Duration;
import java.util.UUID;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.http.javadsl.model.sse.ServerSentEvent;
import org.apache.pekko.http.javadsl.model.ws.Message;
import org.apache.pekko.http.javadsl.model.ws.TextMessage;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.BoundedSourceQueue;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.typed.javadsl.ActorSink;

/**
 * Wires a client connection to a new {@link Session}, whatever its transport.
 *
 * <p>WebSocket: inbound messages are assembled (size-limited) and handed to the session one at a time with
 * backpressure; outbound frames flow from the session's bounded queue; either side ending ends the other.
 * Server-Sent Events and long polling: outbound frames go to a stream or a poll buffer, and inbound frames arrive
 * by HTTP POST ({@link HttpConnections}).
 */
public final class Gateway {

  /** Comment lines on an idle event stream, so that proxies do not close it. */
  static final Duration SSE_KEEP_ALIVE = Duration.ofSeconds(15);

  private final ActorSystem<?> system;
  private final Materializer materializer;
  private final SessionDeps deps;

  public Gateway(ActorSystem<?> system, SessionDeps deps) {
    this.system = system;
    this.materializer = Materializer.matFromSystem(system);
    this.deps = deps;
  }

  ActorSystem<?> system() {
    return system;
  }

  SessionDeps deps() {
    return deps;
  }

  ActorRef<Session.Command> startSession(Session.Role role, String siteId, Client client, Outbound out) {
    return system.systemActorOf(
        Session.create(role, siteId, client, out, deps), "session-" + UUID.randomUUID(), Props.empty());
  }

  public Flow<Message, Message, NotUsed> connection(Session.Role role, String siteId, Client client) {
    Pair<BoundedSourceQueue<Message>, Source<Message, NotUsed>> out =
        Source.<Message>queue(deps.settings().maxOutboundFrames()).preMaterialize(materializer);
    ActorRef<Session.Command> session =
        startSession(role, siteId, client, new QueueOutbound<>(out.first(), TextMessage::create));
    Sink<InboundFrame, NotUsed> toSession =
        ActorSink.actorRefWithBackpressure(
            session,
            (ActorRef<Session.Ack> ackTo, InboundFrame frame) -> new Session.Inbound(frame, ackTo),
            Session.StreamStarted::new,
            Session.Ack.INSTANCE,
            Session.StreamCompleted.INSTANCE,
            Session.StreamFailed::new);
    int maxBytes = deps.settings().maxFrameBytes();
    Sink<Message, NotUsed> in =
        Flow.<Message>create()
            .mapAsync(1, message -> WebSocketMessages.assemble(message, maxBytes, materializer))
            .to(toSession);
    return Flow.fromSinkAndSourceCoupled(in, out.second());
  }

  /**
   * A visitor session whose frames go out as Server-Sent Events. The first event names the connection, so that
   * the client can POST its frames to it; the stream's end is the session's end.
   */
  Source<ServerSentEvent, NotUsed> eventStream(
      String siteId, String origin, Client client, HttpConnections connections) {
    Pair<BoundedSourceQueue<ServerSentEvent>, Source<ServerSentEvent, NotUsed>> out =
        Source.<ServerSentEvent>queue(deps.settings().maxOutboundFrames()).preMaterialize(materializer);
    Outbound outbound = new QueueOutbound<>(out.first(), ServerSentEvent::create);
    ActorRef<Session.Command> session = startSession(Session.Role.VISITOR, siteId, client, outbound);
    String cid = connections.register(session, outbound, null, origin, client.address(), siteId);
    return Source.single(ServerSentEvent.create(HttpConnections.openFrame(cid, 0)))
        .concat(out.second())
        .keepAlive(SSE_KEEP_ALIVE, ServerSentEvent::heartbeat)
        .watchTermination(
            (notUsed, done) -> {
              done.whenComplete((ok, failure) -> session.tell(Session.StreamCompleted.INSTANCE));
              return notUsed;
            });
  }
}
