package dev.parley.edge.session;

import dev.parley.core.common.Caller;
import dev.parley.edge.protocol.ClientFrame;
import dev.parley.edge.protocol.ErrorCode;
import dev.parley.edge.protocol.ServerFrame;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.ReceiveBuilder;

/**
 * The session after its hello: the caller is known, and the connection's frames are the requests of its role.
 * This behaviour only wires the parts together: request frames go to the role's {@link RequestHandler} (a visitor
 * or an agent), the conversations the connection follows are kept in sync by its {@link Subscriptions}, and the
 * periodic renewal and the end of the connection reach both.
 */
final class Authenticated extends Session.State {

  private final Subscriptions subscriptions;
  private final RequestHandler requests;

  /** {@code requests}: the role's handler, given the connection's subscriptions. */
  Authenticated(Session session, Caller caller, Function<Subscriptions, RequestHandler> requests) {
    super(session);
    this.subscriptions = new Subscriptions(session, caller, this::inSync);
    this.requests = requests.apply(subscriptions);
  }

  /** A followed conversation is in sync: the role decides what that means (an agent watches its visitor). */
  private void inSync(Following.InSync inSync) {
    requests.inSync(inSync);
  }

  /**
   * Follows the conversations the client resumes (from the seq it holds), then the ones the server adds (from seq
   * 0) unless resumed, then starts the role's presence and views.
   */
  void start(Map<String, Long> resume, List<String> alsoFollow) {
    resume.forEach((id, seq) -> subscriptions.follow(id, seq, true));
    for (String id : alsoFollow) {
      if (!resume.containsKey(id)) {
        subscriptions.follow(id, 0L, false);
      }
    }
    requests.started();
  }

  @Override
  void receive(ReceiveBuilder<Session.Command> builder) {
    subscriptions.receive(builder);
    requests.receive(builder);
  }

  @Override
  boolean onFrame(ClientFrame frame, ActorRef<Session.Ack> ackTo) {
    if (frame instanceof ClientFrame.Hello) {
      session.send(ServerFrame.Error.of(ErrorCode.ALREADY_AUTHENTICATED, "this connection already said hello"));
    } else {
      requests.handle(frame);
    }
    return false;
  }

  @Override
  void onTick(long nowNanos) {
    if (session.renewalDue(nowNanos)) {
      subscriptions.renew();
      requests.renew();
    }
  }

  @Override
  void stopped() {
    requests.stopped();
    subscriptions.stopped();
  }
}
