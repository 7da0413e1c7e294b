package dev.parley.edge.session;

import dev.parley.core.agent.Agent;
import dev.parley.edge.admission.Admission;
import dev.parley.edge.auth.AgentAccess;
import dev.parley.edge.protocol.ClientFrame;
import dev.parley.edge.protocol.ErrorCode;
import dev.parley.edge.protocol.ErrorFrames;
import dev.parley.edge.protocol.FrameDecoder;
import dev.parley.edge.protocol.FrameEncoder;
import dev.parley.edge.protocol.ServerFrame;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeoutException;
import java.util.function.BiConsumer;
import java.util.function.BiFunction;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.ReceiveBuilder;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.pattern.StatusReply;
import org.slf4j.Logger;

/**
 * One client connection, visitor or agent, whatever its transport: an actor that speaks the wire protocol on one
 * side and the domain's entities on the other. This class is the connection itself — the messages its transport
 * sends it, its lifecycle (idle timeout, close, stop), its backpressure and its output — and it holds no business
 * rules. What a frame means depends on the connection's state, which is one of two behaviours: {@link
 * AwaitingHello} until a hello succeeded (login), then {@link Authenticated} (the requests of a visitor or an
 * agent, and the conversations the connection follows).
 *
 * <p>Everything it holds is bounded: inbound frames are read one at a time (the transport sends the next after an
 * {@link Ack}), and reading pauses while {@code max-in-flight-requests} requests await an entity; outbound frames
 * go to a bounded {@link Outbound}, and a client too slow to empty it is disconnected (it resumes from its last
 * seq on reconnect, so nothing is lost).
 */
public final class Session {

  private static final Duration TICK = Duration.ofSeconds(1);
  /** How long a closing session waits for its transport to end it before it stops itself. */
  private static final Duration STOP_BACKSTOP = Duration.ofSeconds(5);

  public enum Role {
    VISITOR,
    AGENT
  }

  // Messages ---------------------------------------------------------------------------------------------------

  public interface Command {}

  /** The stream's acknowledgement token: one inbound frame is read per ack. */
  public enum Ack {
    INSTANCE
  }

  public record StreamStarted(ActorRef<Ack> ackTo) implements Command {}

  public record Inbound(InboundFrame frame, ActorRef<Ack> ackTo) implements Command {}

  public enum StreamCompleted implements Command {
    INSTANCE
  }

  public record StreamFailed(Throwable cause) implements Command {}

  private enum Tick implements Command {
    INSTANCE
  }

  private enum Stop implements Command {
    INSTANCE
  }

  /** A stage completed ({@link #whenDone}): {@code then} runs on the actor with the value or the failure. */
  private record Completed<T>(T value, Throwable failure, BiConsumer<T, Throwable> then) implements Command {
    void run() {
      then.accept(value, failure);
    }
  }

  /** The agent entity ends this connection: the account's access changed, or it has too many connections. */
  record AccessEnded(Agent.SessionEnded notice) implements Command {}

  // Factory ----------------------------------------------------------------------------------------------------

  /**
   * @param siteId the site of a visitor connection (checked at the upgrade), null for agents
   */
  public static Behavior<Command> create(
      Role role, String siteId, Client client, Outbound out, SessionDeps deps) {
    return Behaviors.setup(
        context ->
            Behaviors.withTimers(
                timers -> new AwaitingHello(new Session(context, timers, role, siteId, client, out, deps))));
  }

  // State (all owned by this actor) ----------------------------------------------------------------------------

  private final ActorContext<Command> context;
  private final TimerScheduler<Command> timers;
  private final Role role;
  /** The site of a visitor connection; null for agents. */
  private final String siteId;
  private final Client client;
  private final Outbound out;
  private final SessionDeps deps;
  private final Entities entities;
  private final String id = UUID.randomUUID().toString();
  /** The hello frame's ack while the hello is being checked (no other frame is read meanwhile); else null. */
  private ActorRef<Ack> helloAck;
  /** An ack withheld because {@code inFlight} reached its maximum; null when none is withheld. */
  private ActorRef<Ack> pendingAck;
  /** Requests of the client whose answer is still awaited (from {@link #requestStarted} to {@link #requestDone}). */
  private int inFlight;
  private long lastInboundNanos = System.nanoTime();
  private long lastRenewalNanos = System.nanoTime();
  /** Set once by {@link #close}: from then on no frame is sent and inbound frames are only acknowledged. */
  private boolean closing;

  private Session(
      ActorContext<Command> context,
      TimerScheduler<Command> timers,
      Role role,
      String siteId,
      Client client,
      Outbound out,
      SessionDeps deps) {
    this.context = context;
    this.timers = timers;
    this.role = role;
    this.siteId = siteId;
    this.client = client;
    this.out = out;
    this.deps = deps;
    this.entities = new Entities(deps.sharding());
    timers.startTimerWithFixedDelay(Tick.INSTANCE, TICK);
  }

  /**
   * One of the session's behaviours. The connection's own messages (its stream's, the tick, completed stages, the
   * end of an agent's access) are handled alike in every state; a state adds its own messages and decides what a
   * decoded frame means.
   */
  abstract static class State extends AbstractBehavior<Command> {

    final Session session;

    State(Session session) {
      super(session.context);
      this.session = session;
    }

    @Override
    public final Receive<Command> createReceive() {
      ReceiveBuilder<Command> builder =
          newReceiveBuilder()
              .onMessage(StreamStarted.class, m -> ack(m.ackTo()))
              .onMessage(Inbound.class, m -> session.onInbound(m, this))
              .onMessageEquals(StreamCompleted.INSTANCE, Behaviors::stopped)
              .onMessage(StreamFailed.class, m -> Behaviors.stopped())
              .onMessageEquals(Stop.INSTANCE, Behaviors::stopped)
              .onMessageEquals(Tick.INSTANCE, () -> session.onTick(this))
              .onMessage(Completed.class, this::run)
              .onMessage(AccessEnded.class, m -> session.onAccessEnded(m, this));
      receive(builder);
      return builder.onSignal(PostStop.class, signal -> session.onStop(this)).build();
    }

    /** Adds the messages this state handles. */
    abstract void receive(ReceiveBuilder<Command> builder);

    /**
     * A decoded frame other than {@code ping}. Returns true when the state keeps the frame's ack itself (a hello
     * being checked); otherwise the session acknowledges it, or withholds the ack while too many requests wait.
     */
    abstract boolean onFrame(ClientFrame frame, ActorRef<Ack> ackTo);

    /** Once a second, unless the connection was just closed for being idle. */
    void onTick(long nowNanos) {}

    /** The actor stopped, after the connection released its transport and slot. */
    void stopped() {}

    private Behavior<Command> ack(ActorRef<Ack> ackTo) {
      ackTo.tell(Ack.INSTANCE);
      return this;
    }

    private Behavior<Command> run(Completed<?> completed) {
      completed.run();
      return this;
    }
  }

  // Inbound frames ---------------------------------------------------------------------------------------------

  private Behavior<Command> onInbound(Inbound inbound, State state) {
    lastInboundNanos = System.nanoTime();
    if (closing) {
      inbound.ackTo().tell(Ack.INSTANCE);
      return state;
    }
    InboundFrame frame = inbound.frame();
    if (frame instanceof InboundFrame.TooLarge tooLarge) {
      send(
          ServerFrame.Error.of(
              ErrorCode.FRAME_TOO_LARGE,
              "the frame has " + tooLarge.bytes() + " bytes; the limit is " + deps.settings().maxFrameBytes()));
    } else if (frame instanceof InboundFrame.Binary) {
      send(ServerFrame.Error.of(ErrorCode.BINARY_NOT_SUPPORTED, "frames are JSON text"));
    } else if (frame instanceof InboundFrame.Text text) {
      FrameDecoder.Decoded decoded = FrameDecoder.decode(text.text());
      if (decoded.error() != null) {
        send(decoded.error());
      } else if (decoded.frame() instanceof ClientFrame.Ping ping) {
        send(new ServerFrame.Pong(ping.t(), deps.clock().instant()));
      } else if (state.onFrame(decoded.frame(), inbound.ackTo())) {
        return state; // the state reads the next frame once it is ready (a hello being checked)
      }
    }
    if (inFlight >= deps.settings().maxInFlightRequests()) {
      pendingAck = inbound.ackTo();
    } else {
      inbound.ackTo().tell(Ack.INSTANCE);
    }
    return state;
  }

  /** A request the client waits for starts: it counts against {@code max-in-flight-requests} until it is done. */
  void requestStarted() {
    inFlight++;
  }

  /** A request ended (answered or failed): reading resumes if it waited for this. */
  void requestDone() {
    inFlight--;
    if (pendingAck != null && inFlight < deps.settings().maxInFlightRequests()) {
      pendingAck.tell(Ack.INSTANCE);
      pendingAck = null;
    }
  }

  /** Keeps the hello frame's ack until {@link #helloSettled}: no other frame is read while a hello is checked. */
  void holdForHello(ActorRef<Ack> ackTo) {
    helloAck = ackTo;
  }

  /** The hello succeeded or failed: the next frame may be read. */
  void helloSettled() {
    if (helloAck != null) {
      helloAck.tell(Ack.INSTANCE);
      helloAck = null;
    }
  }

  // Timers -----------------------------------------------------------------------------------------------------

  private Behavior<Command> onTick(State state) {
    long now = System.nanoTime();
    if (!closing && now - lastInboundNanos > deps.settings().idleTimeout().toNanos()) {
      send(
          ServerFrame.Error.of(
              ErrorCode.IDLE_TIMEOUT, "no frame for " + deps.settings().idleTimeout().toSeconds() + " s"));
      close("idle");
      return state;
    }
    state.onTick(now);
    return state;
  }

  /**
   * Whether the periodic renewal of subscriptions, watches and presence is due at {@code nowNanos}; when it is,
   * the next one is due a renewal period later.
   */
  boolean renewalDue(long nowNanos) {
    if (nowNanos - lastRenewalNanos <= deps.settings().subscriptionRenewal().toNanos()) {
      return false;
    }
    lastRenewalNanos = nowNanos;
    return true;
  }

  private Behavior<Command> onAccessEnded(AccessEnded ended, State state) {
    if (ended.notice().reason() == Agent.SessionEnded.Reason.TOO_MANY_SESSIONS) {
      send(
          ServerFrame.Error.of(
              ErrorCode.OVERLOADED,
              "this account opened more than " + Agent.MAX_TRACKED_SESSIONS + " connections; this, the oldest, ends"));
    } else {
      send(ServerFrame.Error.of(ErrorCode.INVALID_TOKEN, AgentAccess.ACCESS_CHANGED));
    }
    close("access ended: " + ended.notice().reason());
    return state;
  }

  // Asks -------------------------------------------------------------------------------------------------------

  /**
   * Continues on this actor once {@code stage} completes: {@code then} runs here, with the value or the failure
   * (unwrapped from a {@link CompletionException}), so it may use the state of the actor.
   */
  <T> void whenDone(CompletionStage<T> stage, BiConsumer<T, Throwable> then) {
    pipe(stage, (value, failure) -> new Completed<>(value, failure, then));
  }

  /**
   * Like {@code pipeToSelf}, but the callback runs on this actor's dispatcher. Futures that Pekko converts from
   * Scala run even synchronous-looking callbacks "async" on the common pool, which on a 2-core JDK 17 means a new
   * thread per callback (see ../shared/STACK.md); naming the executor keeps them on our threads. {@code toMessage}
   * runs off the actor: it may only build a message from its arguments.
   */
  <T> void pipe(CompletionStage<T> stage, BiFunction<T, Throwable, Command> toMessage) {
    ActorRef<Command> self = context.getSelf();
    stage.whenCompleteAsync(
        (value, failure) -> self.tell(toMessage.apply(value, unwrap(failure))), context.getExecutionContext());
  }

  private static Throwable unwrap(Throwable failure) {
    return failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
  }

  // Output -----------------------------------------------------------------------------------------------------

  void send(ServerFrame frame) {
    if (closing) {
      return;
    }
    Outbound.Offer result = out.offer(FrameEncoder.encode(frame));
    if (result == Outbound.Offer.FULL) {
      log().warn("Session {}: client too slow ({} frames queued); disconnecting", id, out.size());
      close("slow client");
    } else if (result == Outbound.Offer.CLOSED) {
      close("connection gone");
    }
  }

  /** Frames queued for the client and not yet taken by its transport. */
  int outboundBacklog() {
    return out.size();
  }

  /**
   * Answers a request that failed on the way (an ask timed out, an entity refused, or something broke), with the
   * error frame that says whether resending can help.
   */
  void sendFailure(Throwable failure, String ref, String conversationId) {
    ServerFrame.Error error;
    if (failure instanceof TimeoutException) {
      error = ErrorFrames.timeout();
    } else if (failure instanceof StatusReply.ErrorMessage message) {
      error = ErrorFrames.rejection(message.getMessage(), conversationId);
    } else if (failure instanceof dev.parley.edge.protocol.FrameRefusal refusal) {
      error = refusal.error();
    } else {
      log().warn("Session {}: request failed: {}", id, failure.toString());
      error = ErrorFrames.unavailable();
    }
    if (conversationId != null) {
      error = error.withConversation(conversationId);
    }
    send(ref != null ? error.withRef(ref) : error);
  }

  /** An admission refusal as an error frame: {@code rate-limited} or {@code overloaded}, with when to retry. */
  static ServerFrame.Error refusal(Admission.Refusal refusal) {
    ErrorCode code =
        refusal.limit().kind() == Admission.Limit.Kind.RATE ? ErrorCode.RATE_LIMITED : ErrorCode.OVERLOADED;
    return ServerFrame.Error.of(code, refusal.limit().message()).withRetryAfter(refusal.retryAfter());
  }

  // Lifecycle --------------------------------------------------------------------------------------------------

  boolean closing() {
    return closing;
  }

  /** Ends the connection after the frames already queued; the transport's end then stops the actor. */
  void close(String why) {
    if (closing) {
      return;
    }
    log().debug("Session {} closing: {}", id, why);
    closing = true;
    out.complete();
    helloSettled();
    if (pendingAck != null) {
      pendingAck.tell(Ack.INSTANCE);
      pendingAck = null;
    }
    // The stream normally stops us when it completes; this is the backstop.
    timers.startSingleTimer(Stop.INSTANCE, STOP_BACKSTOP);
  }

  private Behavior<Command> onStop(State state) {
    out.complete(); // idempotent: the stream may have ended already
    client.permit().release();
    state.stopped();
    return state;
  }

  // What the states and their parts use ------------------------------------------------------------------------

  ActorContext<Command> context() {
    return context;
  }

  ActorRef<Command> self() {
    return context.getSelf();
  }

  TimerScheduler<Command> timers() {
    return timers;
  }

  Logger log() {
    return context.getLog();
  }

  /** A random id for logs; never shown to the client. */
  String id() {
    return id;
  }

  Role role() {
    return role;
  }

  /** The site of a visitor connection; null for agents. */
  String siteId() {
    return siteId;
  }

  Client client() {
    return client;
  }

  SessionDeps deps() {
    return deps;
  }

  Entities entities() {
    return entities;
  }

  Duration askTimeout() {
    return deps.settings().askTimeout();
  }
}
