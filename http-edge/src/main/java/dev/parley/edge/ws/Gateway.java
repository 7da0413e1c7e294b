package dev.parley.edge.ws;

import java.util.UUID;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.http.javadsl.model.ws.Message;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.BoundedSourceQueue;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.typed.javadsl.ActorSink;

/**
 * Wires one WebSocket connection to a new {@link Session}: inbound messages are assembled (size-limited) and
 * handed to the session one at a time with backpressure; outbound frames flow from the session's bounded queue.
 * Either side ending ends the other.
 */
public final class Gateway {

  private final ActorSystem<?> system;
  private final Materializer materializer;
  private final SessionDeps deps;

  public Gateway(ActorSystem<?> system, SessionDeps deps) {
    this.system = system;
    this.materializer = Materializer.matFromSystem(system);
    this.deps = deps;
  }

  public Flow<Message, Message, NotUsed> connection(Session.Role role, String siteId) {
    Pair<BoundedSourceQueue<Message>, Source<Message, NotUsed>> out =
        Source.<Message>queue(deps.settings().maxOutboundFrames()).preMaterialize(materializer);
    ActorRef<Session.Command> session =
        system.systemActorOf(
            Session.create(role, siteId, out.first(), deps),
            "session-" + UUID.randomUUID(),
            Props.empty());
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
            .mapAsync(1, message -> InboundFrame.assemble(message, maxBytes, materializer))
            .to(toSession);
    return Flow.fromSinkAndSourceCoupled(in, out.second());
  }
}
