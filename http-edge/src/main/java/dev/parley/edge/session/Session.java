package dev.parley.edge.session;

import dev.parley.core.access.Permission;
import dev.parley.core.agent.Agent;
import dev.parley.core.common.Caller;
import dev.parley.core.common.Limits;
import dev.parley.core.common.Rejection;
import dev.parley.core.conversation.Conversation;
import dev.parley.core.conversation.Entry;
import dev.parley.core.dispatcher.Dispatcher;
import dev.parley.core.visitor.Device;
import dev.parley.core.visitor.Identity;
import dev.parley.core.visitor.PageView;
import dev.parley.core.routing.RoutingHints;
import dev.parley.core.visitor.Visitor;
import dev.parley.edge.admission.Admission;
import dev.parley.edge.auth.AgentAccess;
import dev.parley.edge.auth.Tokens;
import dev.parley.edge.protocol.ClientFrame;
import dev.parley.edge.protocol.ErrorCode;
import dev.parley.edge.protocol.ErrorFrames;
import dev.parley.edge.protocol.FrameDecoder;
import dev.parley.edge.protocol.FrameEncoder;
import dev.parley.edge.protocol.ServerFrame;
import dev.parley.persistence.directory.Account;
import dev.parley.persistence.directory.Membership;
import dev.parley.persistence.directory.SiteWidget;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.pattern.StatusReply;

/**
 * One client connection, visitor or agent: it speaks the wire protocol on one side and the domain's entities on
 * the other.
 *
 * <p>It holds no business rules. It authenticates the hello, turns frames into entity commands, and keeps each
 * conversation the client follows in sync: a subscription names the last seq delivered, gaps are filled from the
 * entity's tail or the journal, entries reach the client once and in seq order, and subscriptions are renewed
 * periodically so that an entity that restarted or moved is followed again.
 *
 * <p>Everything it holds is bounded: inbound frames are read one at a time and reading pauses while {@code
 * max-in-flight-requests} are waiting; outbound frames go to a bounded queue, and a client too slow to empty it is
 * disconnected (it resumes from its last seq on reconnect, so nothing is lost).
 */
public final class Session extends AbstractBehavior<Session.Command> {

  /** Typing frames forwarded per conversation: a change, or a repeat after this long. */
  private static final Duration TYPING_REPEAT = Duration.ofSeconds(2);
  private static final Duration TICK = Duration.ofSeconds(1);
  private static final Duration HISTORY_BACKPRESSURE_DELAY = Duration.ofMillis(100);

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

  private enum HelloTimeout implements Command {
    INSTANCE
  }

  private enum Stop implements Command {
    INSTANCE
  }

  private record FromConversation(Conversation.Notification notification) implements Command {}

  /** The agent entity ends this connection: the account's access changed, or it has too many connections. */
  private record AccessEnded(Agent.SessionEnded notice) implements Command {}

  private record IdentityChecked(ClientFrame.Identify identify, SiteWidget widget, Throwable failure)
      implements Command {}

  private record VisitorReady(
      Caller caller, Tokens.Issued token, Visitor.Profile profile, Map<String, Long> resume, Throwable failure)
      implements Command {}

  private record AgentLoaded(
      Caller caller, Account account, List<Membership> memberships, Map<String, Long> resume, Throwable failure)
      implements Command {}

  private record AgentReady(
      Account account, List<Membership> memberships, Map<String, Long> resume, Agent.Snapshot snapshot, Throwable failure)
      implements Command {}

  private record Ensured(ClientFrame.Send send, String conversationId, boolean retry, Throwable failure)
      implements Command {}

  private record WaitingCounted(ClientFrame.Send send, String stale, Integer count, Throwable failure)
      implements Command {}

  private record Posted(
      ClientFrame.Send send, String conversationId, boolean implicit, boolean retried,
      StatusReply<Conversation.Posted> reply, Throwable failure)
      implements Command {}

  private record Answered(String ref, String conversationId, StatusReply<?> reply, Throwable failure, Kind kind)
      implements Command {
    enum Kind {
      CLAIM,
      CLOSE,
      READ,
      STATUS,
      IDENTIFY,
      TRANSFER,
      NOTE,
      RATE
    }
  }

  private record SubscribeResult(
      String conversationId, long generation, StatusReply<Conversation.Subscribed> reply, Throwable failure)
      implements Command {}

  private record HistoryResult(String conversationId, long generation, List<Entry> entries, Throwable failure)
      implements Command {}

  /** A {@link Following.RetryLater} is due. */
  private record Resync(String conversationId, long generation) implements Command {}

  /** A {@link Following.ReadHistory} delayed while the client was slow is due. */
  private record ReadHistory(String conversationId, long generation) implements Command {}

  /**
   * A claim or transfer ({@code request}), once the conversation answered whether the caller may see it and which
   * site it belongs to; that site's dispatcher decides next.
   */
  private record Located(
      ClientFrame request, String ref, String conversationId, StatusReply<Conversation.Summary> reply,
      Throwable failure) implements Command {}

  private record ClaimGranted(ClientFrame.Claim claim, StatusReply<Done> reply, Throwable failure)
      implements Command {}

  // Factory ----------------------------------------------------------------------------------------------------

  /**
   * @param siteId the site of a visitor connection (checked at the upgrade), null for agents
   */
  public static Behavior<Command> create(
      Role role, String siteId, Client client, Outbound out, SessionDeps deps) {
    return Behaviors.setup(
        context ->
            Behaviors.withTimers(
                timers -> new Session(context, timers, role, siteId, client, out, deps)));
  }

  // State (all owned by this actor) ----------------------------------------------------------------------------

  private final TimerScheduler<Command> timers;
  private final Role role;
  private final String siteId;
  private final Outbound out;
  private final SessionDeps deps;
  private final ActorRef<Conversation.Notification> notifications;
  /** Agent only: the site queues this connection watches. */
  private final QueueViews queues;
  /** Agent only: the visitors of the conversations this connection follows. */
  private final VisitorProfiles profiles;
  /** The User-Agent header of the connection, or null. */
  private final String userAgent;
  /** The client's address (after trusted proxies), for admission control. */
  private final String clientAddress;
  /** The connection slot admission control granted; released when this session stops. */
  private final Admission.Permit permit;
  private final String sessionId = UUID.randomUUID().toString();
  private final SessionRouting routing;
  /** Agent only: whether the status being set is online, applied to routing when the agent entity acks. */
  private boolean settingOnline;
  /** Agent only: the token version this connection authenticated with, and where its end is announced. */
  private long agentTokenVersion;
  private ActorRef<Agent.SessionEnded> accessNotices;

  /** Null until the hello succeeded. */
  private Caller caller;
  /** An agent whose hello is being completed (its entity has not answered yet); null otherwise. */
  private Caller pendingAgent;
  /** The hello frame's ack while the hello is being checked: no other frame is read meanwhile. */
  private ActorRef<Ack> helloAck;
  /** An ack withheld because {@code inFlight} reached its maximum; null when none is withheld. */
  private ActorRef<Ack> pendingAck;
  private int inFlight;
  private long lastInboundNanos = System.nanoTime();
  private boolean closing;
  /** Visitor only: the visitor's open conversation as last known, or null. */
  private String currentConversationId;
  /** The conversations this connection follows, and how far each is delivered. */
  private final Following following;
  private final Map<String, TypingSent> typingSent = new HashMap<>();
  /**
   * Conversations with a claim or transfer being decided (several steps: conversation, dispatcher, conversation),
   * and the requests about them that arrived meanwhile; they run, in order, once it is decided.
   */
  private final Map<String, List<ClientFrame>> settling = new HashMap<>();
  /** Visitor only: how many page frames may be sent now. */
  private final PageRate pages = new PageRate(System.nanoTime());
  private long lastRenewalNanos = System.nanoTime();

  private record TypingSent(boolean typing, long atNanos) {}

  private Session(
      ActorContext<Command> context,
      TimerScheduler<Command> timers,
      Role role,
      String siteId,
      Client client,
      Outbound out,
      SessionDeps deps) {
    super(context);
    this.timers = timers;
    this.role = role;
    this.siteId = siteId;
    this.out = out;
    this.userAgent = client.userAgent();
    this.clientAddress = client.address();
    this.permit = client.permit();
    this.deps = deps;
    this.notifications = context.messageAdapter(Conversation.Notification.class, FromConversation::new);
    Entities entities = new Entities(deps.sharding());
    this.queues = new QueueViews(context, entities, this::send);
    this.profiles = new VisitorProfiles(context, entities, this::send);
    this.following = new Following(sessionId, role == Role.AGENT, Math::random, context.getLog());
    this.routing =
        new SessionRouting(context, deps.sharding(), this::send, id -> subscribe(id, 0L, false));
    timers.startSingleTimer(HelloTimeout.INSTANCE, deps.settings().helloTimeout());
    timers.startTimerWithFixedDelay(Tick.INSTANCE, TICK);
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(StreamStarted.class, m -> ack(m.ackTo()))
        .onMessage(Inbound.class, this::onInbound)
        .onMessageEquals(StreamCompleted.INSTANCE, Behaviors::stopped)
        .onMessage(StreamFailed.class, m -> Behaviors.stopped())
        .onMessageEquals(Stop.INSTANCE, Behaviors::stopped)
        .onMessageEquals(Tick.INSTANCE, this::onTick)
        .onMessageEquals(HelloTimeout.INSTANCE, this::onHelloTimeout)
        .onMessage(VisitorReady.class, this::onVisitorReady)
        .onMessage(AgentLoaded.class, this::onAgentLoaded)
        .onMessage(AgentReady.class, this::onAgentReady)
        .onMessage(Ensured.class, this::onEnsured)
        .onMessage(WaitingCounted.class, this::onWaitingCounted)
        .onMessage(Posted.class, this::onPosted)
        .onMessage(Answered.class, this::onAnswered)
        .onMessage(SubscribeResult.class, this::onSubscribeResult)
        .onMessage(HistoryResult.class, this::onHistoryResult)
        .onMessage(Resync.class, this::onResync)
        .onMessage(ReadHistory.class, this::onReadHistory)
        .onMessage(FromConversation.class, this::onNotification)
        .onMessage(QueueViews.FromQueue.class, m -> { queues.onNotice(m); return this; })
        .onMessage(VisitorProfiles.FromVisitor.class, m -> { profiles.onProfile(m); return this; })
        .onMessage(AccessEnded.class, this::onAccessEnded)
        .onMessage(IdentityChecked.class, this::onIdentityChecked)
        .onMessage(Located.class, this::onLocated)
        .onMessage(ClaimGranted.class, this::onClaimGranted)
        .onMessage(SessionRouting.FromNotice.class, m -> { routing.onNotice(m); return this; })
        .onMessage(SessionRouting.FromPosition.class, m -> { routing.onPosition(m); return this; })
        .onMessage(SessionRouting.FromAvailability.class, m -> { routing.onAvailability(m); return this; })
        .onSignal(PostStop.class, signal -> onStop())
        .build();
  }

  // Inbound frames ---------------------------------------------------------------------------------------------

  private Behavior<Command> ack(ActorRef<Ack> ackTo) {
    ackTo.tell(Ack.INSTANCE);
    return this;
  }

  private Behavior<Command> onInbound(Inbound inbound) {
    lastInboundNanos = System.nanoTime();
    if (closing) {
      return ack(inbound.ackTo());
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
      } else if (decoded.frame() instanceof ClientFrame.Hello hello && caller == null) {
        startHello(hello, inbound.ackTo());
        return this; // the next frame is read once the hello is settled
      } else {
        handle(decoded.frame());
      }
    }
    return ackOrDefer(inbound.ackTo());
  }

  private Behavior<Command> ackOrDefer(ActorRef<Ack> ackTo) {
    if (inFlight >= deps.settings().maxInFlightRequests()) {
      pendingAck = ackTo;
    } else {
      ackTo.tell(Ack.INSTANCE);
    }
    return this;
  }

  private void requestDone() {
    inFlight--;
    if (pendingAck != null && inFlight < deps.settings().maxInFlightRequests()) {
      pendingAck.tell(Ack.INSTANCE);
      pendingAck = null;
    }
  }

  private void handle(ClientFrame frame) {
    if (frame instanceof ClientFrame.Ping ping) {
      send(new ServerFrame.Pong(ping.t(), deps.clock().instant()));
      return;
    }
    if (caller == null) {
      send(
          ServerFrame.Error.of(ErrorCode.NOT_AUTHENTICATED, "say hello first")
              .withRef(refOf(frame)));
      return;
    }
    String about = conversationOf(frame);
    if (about != null && settling.containsKey(about)) {
      // A claim or transfer of this conversation is still being decided: what follows it waits, so that a
      // reply sent right after "accept" is not refused as not-assigned.
      List<ClientFrame> held = settling.get(about);
      if (held.size() >= deps.settings().maxInFlightRequests()) {
        send(
            ServerFrame.Error.of(ErrorCode.UNAVAILABLE, "too many requests wait for this conversation; resend")
                .withRef(refOf(frame))
                .withConversation(about));
      } else {
        held.add(frame);
      }
      return;
    }
    if (frame instanceof ClientFrame.Hello) {
      send(ServerFrame.Error.of(ErrorCode.ALREADY_AUTHENTICATED, "this connection already said hello"));
    } else if (frame instanceof ClientFrame.Send s) {
      onSend(s);
    } else if (frame instanceof ClientFrame.Sync s) {
      onSync(s);
    } else if (frame instanceof ClientFrame.Typing t) {
      onTyping(t);
    } else if (frame instanceof ClientFrame.Read r) {
      onRead(r);
    } else if (frame instanceof ClientFrame.Claim c) {
      onClaim(c);
    } else if (frame instanceof ClientFrame.Close c) {
      onClose(c);
    } else if (frame instanceof ClientFrame.SetStatus s) {
      onSetStatus(s);
    } else if (frame instanceof ClientFrame.Identify i) {
      onIdentify(i);
    } else if (frame instanceof ClientFrame.Page p) {
      onPage(p);
    } else if (frame instanceof ClientFrame.Transfer t) {
      onTransfer(t);
    } else if (frame instanceof ClientFrame.Note n) {
      onNote(n);
    } else if (frame instanceof ClientFrame.Rate r) {
      onRate(r);
    } else if (frame instanceof ClientFrame.Decline d) {
      if (role != Role.AGENT) {
        send(ServerFrame.Error.of(ErrorCode.NOT_ALLOWED, "only agents decline offers").withRef(d.id()));
      } else {
        routing.decline(caller, d);
      }
    }
  }

  /** The conversation a request is about, for the requests that must keep their order behind a claim. */
  private static String conversationOf(ClientFrame frame) {
    if (frame instanceof ClientFrame.Send s) {
      return s.conversationId();
    } else if (frame instanceof ClientFrame.Claim c) {
      return c.conversationId();
    } else if (frame instanceof ClientFrame.Close c) {
      return c.conversationId();
    } else if (frame instanceof ClientFrame.Transfer t) {
      return t.conversationId();
    } else if (frame instanceof ClientFrame.Note n) {
      return n.conversationId();
    }
    return null;
  }

  /** A claim or transfer of {@code conversationId} was decided: the requests held behind it run now, in order. */
  private void settled(String conversationId) {
    List<ClientFrame> held = settling.remove(conversationId);
    if (held == null) {
      return;
    }
    for (int i = 0; i < held.size(); i++) {
      handle(held.get(i));
      if (settling.containsKey(conversationId)) {
        // The replayed request is itself a claim or transfer: the rest waits behind it.
        settling.get(conversationId).addAll(held.subList(i + 1, held.size()));
        return;
      }
    }
  }

  private static String refOf(ClientFrame frame) {
    if (frame instanceof ClientFrame.Send s) {
      return s.id();
    } else if (frame instanceof ClientFrame.Claim c) {
      return c.id();
    } else if (frame instanceof ClientFrame.Close c) {
      return c.id();
    } else if (frame instanceof ClientFrame.SetStatus s) {
      return s.id();
    } else if (frame instanceof ClientFrame.Identify i) {
      return i.id();
    } else if (frame instanceof ClientFrame.Decline d) {
      return d.id();
    } else if (frame instanceof ClientFrame.Transfer t) {
      return t.id();
    } else if (frame instanceof ClientFrame.Note n) {
      return n.id();
    } else if (frame instanceof ClientFrame.Rate r) {
      return r.id();
    }
    return null;
  }

  // Hello ------------------------------------------------------------------------------------------------------

  private void startHello(ClientFrame.Hello hello, ActorRef<Ack> ackTo) {
    if (role == Role.VISITOR) {
      Optional<Admission.Refusal> tooMany = deps.admission().hello(clientAddress);
      if (tooMany.isPresent()) {
        send(refusal(tooMany.get()));
        ackTo.tell(Ack.INSTANCE);
        return;
      }
      String visitorId;
      if (hello.token() == null) {
        visitorId = UUID.randomUUID().toString();
      } else {
        try {
          visitorId = deps.tokens().verifyVisitor(hello.token(), siteId).visitorId();
        } catch (Tokens.Refused refused) {
          refuseToken(refused, ackTo);
          return;
        }
      }
      Caller visitor = Caller.visitor(siteId, visitorId);
      Tokens.Issued token = deps.tokens().issueVisitor(siteId, visitorId);
      helloAck = ackTo;
      pipe(
              visitorRef(visitorId).<Visitor.Profile>ask(Visitor.GetProfile::new, deps.settings().askTimeout()),
              (profile, failure) -> new VisitorReady(visitor, token, profile, hello.resume(), failure));
    } else {
      Tokens.AgentClaims claims;
      try {
        claims = deps.tokens().verifyAgent(hello.token());
      } catch (Tokens.Refused refused) {
        refuseToken(refused, ackTo);
        return;
      }
      if (claims.scope() != Tokens.Scope.FULL) {
        send(
            ServerFrame.Error.of(
                ErrorCode.TWO_FACTOR_ENROLMENT_REQUIRED,
                "a site you work for requires two-factor sign-in: set it up, then log in again"));
        ackTo.tell(Ack.INSTANCE);
        return;
      }
      helloAck = ackTo;
      agentTokenVersion = claims.tokenVersion();
      CompletionStage<AgentLoaded> loaded =
          CompletableFuture.supplyAsync(
              () ->
                  AgentAccess.check(claims, deps.directory())
                      .map(
                          granted ->
                              new AgentLoaded(
                                  Caller.agent(claims.accountId(), granted.roles()),
                                  granted.account(),
                                  granted.memberships(),
                                  hello.resume(),
                                  null))
                      .orElseGet(() -> new AgentLoaded(null, null, List.of(), hello.resume(), null)),
              deps.blocking());
      pipe(
              loaded,
              (result, failure) ->
                  failure != null ? new AgentLoaded(null, null, List.of(), Map.of(), failure) : result);
    }
  }

  private void refuseToken(Tokens.Refused refused, ActorRef<Ack> ackTo) {
    ErrorCode code = refused.expired() ? ErrorCode.TOKEN_EXPIRED : ErrorCode.INVALID_TOKEN;
    String advice =
        role == Role.VISITOR
            ? "; say hello without a token to continue as a new visitor"
            : "; log in again for a new token";
    send(ServerFrame.Error.of(code, "the token was refused (" + refused.getMessage() + ")" + advice));
    ackTo.tell(Ack.INSTANCE);
  }

  private void helloFailed(String why) {
    getContext().getLog().warn("Session {}: hello failed: {}", sessionId, why);
    send(ServerFrame.Error.of(ErrorCode.UNAVAILABLE, "the server could not complete the hello; try again"));
    releaseHelloAck();
  }

  private void releaseHelloAck() {
    if (helloAck != null) {
      helloAck.tell(Ack.INSTANCE);
      helloAck = null;
    }
  }

  private Behavior<Command> onVisitorReady(VisitorReady ready) {
    if (ready.failure() != null) {
      helloFailed(String.valueOf(ready.failure()));
      return this;
    }
    caller = ready.caller();
    timers.cancel(HelloTimeout.INSTANCE);
    visitorRef(caller.id()).tell(new Visitor.Connected(getContext().getSelf()));
    currentConversationId = ready.profile().currentConversationId();
    Device device = deps.userAgents().device(userAgent);
    if (device != null) {
      visitorRef(caller.id()).tell(new Visitor.SeenOn(device));
    }
    send(
        new ServerFrame.VisitorWelcome(
            "visitor",
            siteId,
            caller.id(),
            ready.token().token(),
            ready.token().expiresAt(),
            currentConversationId,
            deps.settings().heartbeat().toMillis(),
            deps.settings().idleTimeout().toMillis(),
            deps.settings().maxFrameBytes(),
            Limits.MAX_TEXT_CHARS,
            deps.clock().instant()));
    ready.resume().forEach((id, seq) -> subscribe(id, seq, true));
    if (currentConversationId != null && !ready.resume().containsKey(currentConversationId)) {
      subscribe(currentConversationId, 0L, false);
    }
    routing.visitorReady(siteId, currentConversationId);
    getContext().getLog().debug("Session {}: visitor {} of {} ready", sessionId, caller.id(), siteId);
    releaseHelloAck();
    return this;
  }

  private Behavior<Command> onAgentLoaded(AgentLoaded loaded) {
    if (loaded.failure() != null) {
      helloFailed(String.valueOf(loaded.failure()));
      return this;
    }
    if (loaded.account() == null || loaded.memberships().isEmpty()) {
      send(
          ServerFrame.Error.of(
              ErrorCode.INVALID_TOKEN,
              loaded.account() == null ? AgentAccess.ACCESS_CHANGED : "the account works for no site"));
      releaseHelloAck();
      return this;
    }
    Caller agent = loaded.caller();
    if (accessNotices == null) {
      accessNotices = getContext().messageAdapter(Agent.SessionEnded.class, AccessEnded::new);
    }
    pipe(
            agentRef(agent.id())
                .<Agent.Snapshot>ask(
                    replyTo -> new Agent.Connect(getContext().getSelf(), agentTokenVersion, accessNotices, replyTo),
                    deps.settings().askTimeout()),
            (snapshot, failure) ->
                new AgentReady(loaded.account(), loaded.memberships(), loaded.resume(), snapshot, failure));
    // Remember who is asking; the session becomes authenticated only when the agent entity answered.
    pendingAgent = agent;
    return this;
  }

  private Behavior<Command> onAgentReady(AgentReady ready) {
    if (ready.failure() != null) {
      pendingAgent = null;
      helloFailed(String.valueOf(ready.failure()));
      return this;
    }
    caller = pendingAgent;
    pendingAgent = null;
    timers.cancel(HelloTimeout.INSTANCE);
    List<ServerFrame.SiteRole> sites =
        ready.memberships().stream()
            .map(m -> new ServerFrame.SiteRole(m.siteId(), m.role().code()))
            .toList();
    send(
        new ServerFrame.AgentWelcome(
            "agent",
            caller.id(),
            ready.account().displayName(),
            sites,
            ready.snapshot().activeConversationIds(),
            ready.snapshot().status().name().toLowerCase(Locale.ROOT),
            deps.settings().heartbeat().toMillis(),
            deps.settings().idleTimeout().toMillis(),
            deps.settings().maxFrameBytes(),
            Limits.MAX_TEXT_CHARS,
            deps.clock().instant()));
    ready.resume().forEach((id, seq) -> subscribe(id, seq, true));
    for (String id : ready.snapshot().activeConversationIds()) {
      if (!ready.resume().containsKey(id)) {
        subscribe(id, 0L, false);
      }
    }
    queues.watch(caller.siteIds());
    routing.agentReady(caller, ready.snapshot().status() == Agent.Status.ONLINE);
    getContext().getLog().debug("Session {}: agent {} ready", sessionId, caller.id());
    releaseHelloAck();
    return this;
  }

  // Requests ---------------------------------------------------------------------------------------------------

  private void onSend(ClientFrame.Send send) {
    if (role == Role.VISITOR) {
      Optional<Admission.Refusal> refused =
          deps.admission().send(siteId + "/" + caller.id(), clientAddress);
      if (refused.isPresent()) {
        send(refusal(refused.get()).withRef(send.id()));
        return;
      }
    }
    if (send.conversationId() != null) {
      post(send, send.conversationId(), false, false);
    } else if (role == Role.AGENT) {
      send(
          ServerFrame.Error.of(ErrorCode.MISSING_FIELD, "agents must name the conversation")
              .withField("conversationId")
              .withRef(send.id()));
    } else if (currentConversationId != null) {
      post(send, currentConversationId, true, false);
    } else {
      ensureConversation(send, null);
    }
  }

  /**
   * A visitor message that needs a new conversation: within the address's and the site's rate, and only while the
   * address has fewer than its maximum of conversations waiting in the site's queue (the site's dispatcher counts).
   */
  private void ensureConversation(ClientFrame.Send send, String stale) {
    Optional<Admission.Refusal> refused = deps.admission().newConversation(clientAddress, siteId);
    if (refused.isPresent()) {
      send(refusal(refused.get()).withRef(send.id()));
      return;
    }
    inFlight++;
    pipe(
        dispatcherRef(siteId)
            .<Integer>ask(
                replyTo -> new Dispatcher.CountWaiting(deps.admission().clientKey(clientAddress), replyTo),
                deps.settings().askTimeout()),
        (count, failure) -> new WaitingCounted(send, stale, count, failure));
  }

  private Behavior<Command> onWaitingCounted(WaitingCounted counted) {
    requestDone();
    if (counted.failure() != null) {
      sendFailure(counted.failure(), counted.send().id(), null);
      return this;
    }
    Optional<Admission.Refusal> full = deps.admission().mayWait(counted.count());
    if (full.isPresent()) {
      send(refusal(full.get()).withRef(counted.send().id()));
      return this;
    }
    openConversation(counted.send(), counted.stale());
    return this;
  }

  private void openConversation(ClientFrame.Send send, String stale) {
    inFlight++;
    pipe(
            visitorRef(caller.id())
                .<StatusReply<String>>ask(
                    replyTo -> new Visitor.EnsureConversation(stale, replyTo), deps.settings().askTimeout()),
            (reply, failure) ->
                reply != null && reply.isSuccess()
                    ? new Ensured(send, reply.getValue(), stale != null, null)
                    : new Ensured(
                        send, null, stale != null, failure != null ? failure : reply.getError()));
  }

  private Behavior<Command> onEnsured(Ensured ensured) {
    requestDone();
    if (ensured.failure() != null) {
      sendFailure(ensured.failure(), ensured.send().id(), null);
      return this;
    }
    currentConversationId = ensured.conversationId();
    post(ensured.send(), ensured.conversationId(), true, ensured.retry());
    return this;
  }

  private void post(ClientFrame.Send send, String conversationId, boolean implicit, boolean retried) {
    inFlight++;
    pipe(
            conversationRef(conversationId)
                .<StatusReply<Conversation.Posted>>ask(
                    replyTo ->
                        new Conversation.PostMessage(
                            caller, send.id(), send.text(), implicit, replyTo,
                            new RoutingHints(
                                send.group(),
                                send.pageUrl(),
                                role == Role.VISITOR ? deps.admission().clientKey(clientAddress) : null)),
                    deps.settings().askTimeout()),
            (reply, failure) -> new Posted(send, conversationId, implicit, retried, reply, failure));
  }

  private Behavior<Command> onPosted(Posted posted) {
    requestDone();
    String id = posted.send().id();
    if (posted.failure() != null) {
      sendFailure(posted.failure(), id, posted.conversationId());
      return this;
    }
    StatusReply<Conversation.Posted> reply = posted.reply();
    if (reply.isError()) {
      ErrorCode code = ErrorCode.ofRejectionMessage(reply.getError().getMessage());
      if (code == ErrorCode.CONVERSATION_CLOSED && posted.implicit() && !posted.retried()) {
        // "My conversation" was closed meanwhile: the visitor's next message opens a new one.
        ensureConversation(posted.send(), posted.conversationId());
        return this;
      }
      send(ErrorFrames.rejection(code, posted.conversationId()).withRef(id));
      return this;
    }
    Conversation.Posted ok = reply.getValue();
    send(new ServerFrame.Ack(id, posted.conversationId(), ok.seq(), ok.duplicate() ? Boolean.TRUE : null));
    if (!following.follows(posted.conversationId())) {
      subscribe(posted.conversationId(), 0L, false);
    }
    if (role == Role.VISITOR && posted.implicit()) {
      routing.follow(siteId, posted.conversationId());
    }
    return this;
  }

  private void onSync(ClientFrame.Sync sync) {
    apply(following.sync(sync.conversationId(), sync.afterSeq()));
  }

  private void onTyping(ClientFrame.Typing typing) {
    long now = System.nanoTime();
    TypingSent last = typingSent.get(typing.conversationId());
    if (last != null
        && last.typing() == typing.typing()
        && now - last.atNanos() < TYPING_REPEAT.toNanos()) {
      return;
    }
    if (!following.follows(typing.conversationId())) {
      return; // typing is ephemeral: silently ignored for conversations the client does not follow
    }
    typingSent.put(typing.conversationId(), new TypingSent(typing.typing(), now));
    conversationRef(typing.conversationId()).tell(new Conversation.SetTyping(caller, typing.typing()));
  }

  private void onRead(ClientFrame.Read read) {
    inFlight++;
    pipe(
            conversationRef(read.conversationId())
                .<StatusReply<Done>>ask(
                    replyTo -> new Conversation.MarkRead(caller, read.seq(), replyTo),
                    deps.settings().askTimeout()),
            (reply, failure) ->
                new Answered(null, read.conversationId(), reply, failure, Answered.Kind.READ));
  }

  private void onClaim(ClientFrame.Claim claim) {
    if (role != Role.AGENT) {
      send(ServerFrame.Error.of(ErrorCode.NOT_ALLOWED, "only agents claim conversations").withRef(claim.id()));
      return;
    }
    locate(claim, claim.id(), claim.conversationId());
  }

  /**
   * First step of a claim or transfer: the conversation checks that the caller may see it and names its site. The
   * requests that follow about the same conversation wait until the decision ({@link #settled}).
   */
  private void locate(ClientFrame request, String ref, String conversationId) {
    settling.put(conversationId, new ArrayList<>());
    inFlight++;
    pipe(
        conversationRef(conversationId)
            .<StatusReply<Conversation.Summary>>ask(
                replyTo -> new Conversation.GetSummary(caller, replyTo), deps.settings().askTimeout()),
        (reply, failure) -> new Located(request, ref, conversationId, reply, failure));
  }

  /** The site's dispatcher is the one place that decides who has a conversation (capacity, no double take). */
  private Behavior<Command> onLocated(Located located) {
    if (located.failure() != null || located.reply().isError()) {
      return refused(located.ref(), located.conversationId(), located.failure(), located.reply());
    }
    Conversation.Summary summary = located.reply().getValue();
    if (located.request() instanceof ClientFrame.Claim claim) {
      if (summary.status() == Conversation.Status.CLOSED) {
        return refused(claim.id(), claim.conversationId(), null, Rejection.CONVERSATION_CLOSED.reply());
      }
      pipe(
          dispatcherRef(summary.siteId())
              .<StatusReply<Done>>ask(
                  replyTo ->
                      new Dispatcher.Claim(
                          caller.id(), claim.conversationId(), summary.visitorId(), replyTo,
                          caller.may(summary.siteId(), Permission.CLAIM_OUTSIDE_GROUPS)),
                  deps.settings().askTimeout()),
          (reply, failure) -> new ClaimGranted(claim, reply, failure));
    } else if (located.request() instanceof ClientFrame.Transfer t) {
      pipe(
          dispatcherRef(summary.siteId())
              .<StatusReply<Done>>ask(
                  replyTo ->
                      new Dispatcher.Transfer(
                          caller.id(), t.conversationId(), t.toAgent(), t.toGroup(), t.note(), replyTo,
                          caller.may(summary.siteId(), Permission.TRANSFER_ANY_CONVERSATION)),
                  deps.settings().askTimeout()),
          (reply, failure) -> new Answered(t.id(), t.conversationId(), reply, failure, Answered.Kind.TRANSFER));
    }
    return this;
  }

  private Behavior<Command> onClaimGranted(ClaimGranted granted) {
    ClientFrame.Claim claim = granted.claim();
    if (granted.failure() != null || granted.reply().isError()) {
      return refused(claim.id(), claim.conversationId(), granted.failure(), granted.reply());
    }
    // Decided and persisted; the conversation's claim is idempotent for this agent and gives the seq.
    this.<Conversation.Claimed>askConversation(
        claim.id(), claim.conversationId(), Answered.Kind.CLAIM, replyTo -> new Conversation.Claim(caller, replyTo));
    return this;
  }

  private void onTransfer(ClientFrame.Transfer transfer) {
    if (role != Role.AGENT) {
      send(ServerFrame.Error.of(ErrorCode.NOT_ALLOWED, "only agents transfer conversations").withRef(transfer.id()));
      return;
    }
    locate(transfer, transfer.id(), transfer.conversationId());
  }

  private void onRate(ClientFrame.Rate rate) {
    if (role != Role.VISITOR) {
      send(ServerFrame.Error.of(ErrorCode.NOT_ALLOWED, "only visitors rate conversations").withRef(rate.id()));
      return;
    }
    inFlight++;
    this.<Done>askConversation(
        rate.id(),
        rate.conversationId(),
        Answered.Kind.RATE,
        replyTo -> new Conversation.Rate(caller, rate.score(), rate.comment(), replyTo));
  }

  /**
   * Asks a conversation for a client frame; the answer comes back as an {@link Answered} of {@code kind}, which
   * ends the request (the caller counted it in {@code inFlight}).
   */
  private <T> void askConversation(
      String ref,
      String conversationId,
      Answered.Kind kind,
      java.util.function.Function<ActorRef<StatusReply<T>>, Conversation.Command> command) {
    pipe(
            conversationRef(conversationId).<StatusReply<T>>ask(command::apply, deps.settings().askTimeout()),
            (reply, failure) -> new Answered(ref, conversationId, reply, failure, kind));
  }

  private void onNote(ClientFrame.Note note) {
    if (role != Role.AGENT) {
      send(ServerFrame.Error.of(ErrorCode.NOT_ALLOWED, "only agents write notes").withRef(note.id()));
      return;
    }
    inFlight++;
    this.<Long>askConversation(
        note.id(),
        note.conversationId(),
        Answered.Kind.NOTE,
        replyTo -> new Conversation.AddNote(caller, note.id(), note.text(), replyTo));
  }

  /** Ends a request that failed or was refused on the way, with the matching error frame. */
  private Behavior<Command> refused(String ref, String conversationId, Throwable failure, StatusReply<?> reply) {
    requestDone();
    if (failure != null) {
      sendFailure(failure, ref, conversationId);
    } else {
      ErrorCode code = ErrorCode.ofRejectionMessage(reply.getError().getMessage());
      send(ErrorFrames.rejection(code, conversationId).withRef(ref));
    }
    settled(conversationId);
    return this;
  }

  private void onClose(ClientFrame.Close close) {
    inFlight++;
    pipe(
            conversationRef(close.conversationId())
                .<StatusReply<Conversation.Ended>>ask(
                    replyTo -> new Conversation.Close(caller, replyTo), deps.settings().askTimeout()),
            (reply, failure) ->
                new Answered(close.id(), close.conversationId(), reply, failure, Answered.Kind.CLOSE));
  }

  private void onSetStatus(ClientFrame.SetStatus set) {
    if (role != Role.AGENT) {
      send(ServerFrame.Error.of(ErrorCode.NOT_ALLOWED, "only agents have a status").withRef(set.id()));
      return;
    }
    Agent.Status status;
    try {
      status = Agent.Status.valueOf(set.status().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      send(
          ServerFrame.Error.of(ErrorCode.INVALID_FIELD, "status must be online, away or offline")
              .withField("status")
              .withRef(set.id()));
      return;
    }
    inFlight++;
    settingOnline = status == Agent.Status.ONLINE;
    pipe(
            agentRef(caller.id())
                .<StatusReply<Done>>ask(
                    replyTo -> new Agent.SetStatus(status, replyTo), deps.settings().askTimeout()),
            (reply, failure) -> new Answered(set.id(), null, reply, failure, Answered.Kind.STATUS));
  }

  private Behavior<Command> onAnswered(Answered answered) {
    requestDone();
    if (answered.kind() == Answered.Kind.CLAIM || answered.kind() == Answered.Kind.TRANSFER) {
      try {
        return answer(answered);
      } finally {
        settled(answered.conversationId());
      }
    }
    return answer(answered);
  }

  private Behavior<Command> answer(Answered answered) {
    if (answered.failure() != null) {
      sendFailure(answered.failure(), answered.ref(), answered.conversationId());
      return this;
    }
    if (answered.reply().isError()) {
      ErrorCode code = ErrorCode.ofRejectionMessage(answered.reply().getError().getMessage());
      ServerFrame.Error error = ErrorFrames.rejection(code, answered.conversationId());
      send(answered.ref() != null ? error.withRef(answered.ref()) : error);
      return this;
    }
    switch (answered.kind()) {
      case CLAIM -> {
        Conversation.Claimed claimed = (Conversation.Claimed) answered.reply().getValue();
        send(new ServerFrame.Ack(answered.ref(), answered.conversationId(), claimed.seq(), null));
        if (!following.follows(answered.conversationId())) {
          subscribe(answered.conversationId(), 0L, false);
        }
      }
      case CLOSE -> {
        Conversation.Ended ended = (Conversation.Ended) answered.reply().getValue();
        send(new ServerFrame.Ack(answered.ref(), answered.conversationId(), ended.seq(), null));
        if (answered.conversationId().equals(currentConversationId)) {
          currentConversationId = null;
        }
      }
      case STATUS -> {
        send(new ServerFrame.Ack(answered.ref(), null, null, null));
        routing.statusChanged(caller, settingOnline);
      }
      case IDENTIFY -> send(new ServerFrame.Ack(answered.ref(), null, null, null));
      case READ -> {
        // The read mark reaches every subscriber, this one included, as a read frame.
      }
      case TRANSFER, NOTE, RATE -> send(new ServerFrame.Ack(answered.ref(), answered.conversationId(), null, null));
    }
    return this;
  }

  // Visitor profile ----------------------------------------------------------------------------------------------

  private void onIdentify(ClientFrame.Identify identify) {
    if (role != Role.VISITOR) {
      send(ServerFrame.Error.of(ErrorCode.NOT_ALLOWED, "only visitors identify themselves").withRef(identify.id()));
      return;
    }
    Optional<Admission.Refusal> refused = deps.admission().identify(siteId + "/" + caller.id());
    if (refused.isPresent()) {
      send(refusal(refused.get()).withRef(identify.id()));
      return;
    }
    inFlight++;
    pipe(deps.sites().widget(siteId), (widget, failure) -> new IdentityChecked(identify, widget, failure));
  }

  private Behavior<Command> onIdentityChecked(IdentityChecked checked) {
    requestDone();
    ClientFrame.Identify identify = checked.identify();
    if (checked.failure() != null) {
      sendFailure(checked.failure(), identify.id(), null);
      return this;
    }
    SiteWidget widget = checked.widget();
    Optional<String> problem = IdentityCheck.problem(identify, widget, deps.clock().instant());
    if (problem.isPresent()) {
      send(
          ServerFrame.Error.of(ErrorCode.IDENTITY_REJECTED, problem.get())
              .withField(IdentityCheck.field(identify))
              .withRef(identify.id()));
      return this;
    }
    Identity identity = IdentityCheck.identity(identify);
    inFlight++;
    pipe(
        visitorRef(caller.id())
            .<StatusReply<Done>>ask(
                replyTo -> new Visitor.Identify(identity, replyTo), deps.settings().askTimeout()),
        (reply, failure) -> new Answered(identify.id(), null, reply, failure, Answered.Kind.IDENTIFY));
    return this;
  }

  private void onPage(ClientFrame.Page page) {
    if (role != Role.VISITOR) {
      send(ServerFrame.Error.of(ErrorCode.NOT_ALLOWED, "only visitors report pages"));
      return;
    }
    if (!pages.tryTake(System.nanoTime())) {
      send(ServerFrame.Error.of(ErrorCode.RATE_LIMITED, PageRate.limit()));
      return;
    }
    visitorRef(caller.id())
        .tell(
            new Visitor.ViewPage(
                new PageView(page.url(), page.title(), page.referrer(), deps.clock().instant())));
  }

  // Following conversations ----------------------------------------------------------------------------------

  private void subscribe(String conversationId, long afterSeq, boolean requested) {
    apply(following.follow(conversationId, afterSeq, requested));
  }

  /** Sends a step's frames, then makes its requests: the asks, reads and timers {@link Following} needs. */
  private void apply(Following.Step step) {
    step.frames().forEach(this::send);
    for (Following.Request request : step.requests()) {
      if (request instanceof Following.Subscribe subscribe) {
        pipe(
            conversationRef(subscribe.conversationId())
                .<StatusReply<Conversation.Subscribed>>ask(
                    replyTo -> new Conversation.Subscribe(caller, notifications, subscribe.afterSeq(), replyTo),
                    deps.settings().askTimeout()),
            (reply, failure) ->
                new SubscribeResult(subscribe.conversationId(), subscribe.generation(), reply, failure));
      } else if (request instanceof Following.ReadHistory read) {
        readHistory(read);
      } else if (request instanceof Following.RetryLater retry) {
        timers.startSingleTimer(
            "resync-" + retry.conversationId(),
            new Resync(retry.conversationId(), retry.generation()),
            retry.delay());
      } else if (request instanceof Following.InSync inSync && role == Role.AGENT) {
        profiles.watch(inSync.siteId(), inSync.visitorId(), inSync.conversationId());
      }
    }
  }

  private void readHistory(Following.ReadHistory read) {
    if (out.size() > deps.settings().maxOutboundFrames() / 2) {
      // Let the client drain what it already has before reading more.
      timers.startSingleTimer(
          "history-" + read.conversationId(),
          new ReadHistory(read.conversationId(), read.generation()),
          HISTORY_BACKPRESSURE_DELAY);
      return;
    }
    pipe(
        deps.history().entries(read.conversationId(), read.afterSeq(), read.upToSeq()),
        (entries, failure) -> new HistoryResult(read.conversationId(), read.generation(), entries, failure));
  }

  private Behavior<Command> onSubscribeResult(SubscribeResult result) {
    apply(following.subscribeAnswered(result.conversationId(), result.generation(), result.reply(), result.failure()));
    return this;
  }

  private Behavior<Command> onHistoryResult(HistoryResult result) {
    apply(following.historyRead(result.conversationId(), result.generation(), result.entries(), result.failure()));
    return this;
  }

  private Behavior<Command> onReadHistory(ReadHistory read) {
    apply(following.historyDue(read.conversationId(), read.generation()));
    return this;
  }

  private Behavior<Command> onResync(Resync resync) {
    apply(following.retryDue(resync.conversationId(), resync.generation()));
    return this;
  }

  private Behavior<Command> onNotification(FromConversation message) {
    apply(following.notified(message.notification()));
    return this;
  }

  // Timers -----------------------------------------------------------------------------------------------------

  private Behavior<Command> onTick() {
    long now = System.nanoTime();
    if (!closing && now - lastInboundNanos > deps.settings().idleTimeout().toNanos()) {
      send(ServerFrame.Error.of(ErrorCode.IDLE_TIMEOUT, "no frame for " + deps.settings().idleTimeout().toSeconds() + " s"));
      close("idle");
      return this;
    }
    if (caller != null && now - lastRenewalNanos > deps.settings().subscriptionRenewal().toNanos()) {
      lastRenewalNanos = now;
      apply(following.renewalDue());
      profiles.renew();
      queues.renew();
      routing.renew(caller, siteId);
      if (role == Role.AGENT) {
        agentRef(caller.id()).tell(new Agent.KeepConnected(getContext().getSelf(), agentTokenVersion, accessNotices));
      }
    }
    return this;
  }

  private Behavior<Command> onAccessEnded(AccessEnded ended) {
    if (ended.notice().reason() == Agent.SessionEnded.Reason.TOO_MANY_SESSIONS) {
      send(
          ServerFrame.Error.of(
              ErrorCode.OVERLOADED,
              "this account opened more than " + Agent.MAX_TRACKED_SESSIONS + " connections; this, the oldest, ends"));
    } else {
      send(ServerFrame.Error.of(ErrorCode.INVALID_TOKEN, AgentAccess.ACCESS_CHANGED));
    }
    close("access ended: " + ended.notice().reason());
    return this;
  }

  private Behavior<Command> onHelloTimeout() {
    if (caller == null && !closing) {
      send(ServerFrame.Error.of(ErrorCode.HELLO_TIMEOUT, "no hello within " + deps.settings().helloTimeout().toSeconds() + " s"));
      close("no hello");
    }
    return this;
  }

  /**
   * Like {@code pipeToSelf}, but the callback runs on this actor's dispatcher. Futures that Pekko converts from
   * Scala run even synchronous-looking callbacks "async" on the common pool, which on a 2-core JDK 17 means a new
   * thread per callback (see ../shared/STACK.md); naming the executor keeps them on our threads. {@code toMessage}
   * runs off the actor: it may only build a message from its arguments.
   */
  private <T> void pipe(CompletionStage<T> stage, java.util.function.BiFunction<T, Throwable, Command> toMessage) {
    ActorRef<Command> self = getContext().getSelf();
    stage.whenCompleteAsync(
        (value, failure) -> self.tell(toMessage.apply(value, unwrap(failure))), getContext().getExecutionContext());
  }

  private static Throwable unwrap(Throwable failure) {
    return failure instanceof java.util.concurrent.CompletionException && failure.getCause() != null
        ? failure.getCause()
        : failure;
  }

  // Output -----------------------------------------------------------------------------------------------------

  private void send(ServerFrame frame) {
    if (closing) {
      return;
    }
    Outbound.Offer result = out.offer(FrameEncoder.encode(frame));
    if (result == Outbound.Offer.FULL) {
      getContext()
          .getLog()
          .warn("Session {}: client too slow ({} frames queued); disconnecting", sessionId, out.size());
      close("slow client");
    } else if (result == Outbound.Offer.CLOSED) {
      close("connection gone");
    }
  }

  private void sendFailure(Throwable failure, String ref, String conversationId) {
    ServerFrame.Error error;
    if (failure instanceof TimeoutException) {
      error = ErrorFrames.timeout();
    } else if (failure instanceof StatusReply.ErrorMessage message) {
      error = ErrorFrames.rejection(message.getMessage(), conversationId);
    } else {
      getContext().getLog().warn("Session {}: request failed: {}", sessionId, failure.toString());
      error = ErrorFrames.unavailable();
    }
    if (conversationId != null) {
      error = error.withConversation(conversationId);
    }
    send(ref != null ? error.withRef(ref) : error);
  }

  /** An admission refusal as an error frame: {@code rate-limited} or {@code overloaded}, with when to retry. */
  private static ServerFrame.Error refusal(Admission.Refusal refusal) {
    ErrorCode code =
        refusal.limit().kind() == Admission.Limit.Kind.RATE ? ErrorCode.RATE_LIMITED : ErrorCode.OVERLOADED;
    return ServerFrame.Error.of(code, refusal.limit().message()).withRetryAfter(refusal.retryAfter());
  }

  private void close(String why) {
    if (closing) {
      return;
    }
    getContext().getLog().debug("Session {} closing: {}", sessionId, why);
    closing = true;
    completeOutput();
    releaseHelloAck();
    if (pendingAck != null) {
      pendingAck.tell(Ack.INSTANCE);
      pendingAck = null;
    }
    // The stream normally stops us when it completes; this is the backstop.
    timers.startSingleTimer(Stop.INSTANCE, Duration.ofSeconds(5));
  }

  /** Ends the outbound stream, which closes the connection; idempotent (the stream may have ended already). */
  private void completeOutput() {
    out.complete();
  }

  private Behavior<Command> onStop() {
    completeOutput();
    permit.release();
    if (caller != null) {
      if (role == Role.VISITOR) {
        visitorRef(caller.id()).tell(new Visitor.Disconnected(getContext().getSelf()));
      } else {
        agentRef(caller.id()).tell(new Agent.Disconnect(getContext().getSelf()));
        queues.stopped();
        profiles.stopped();
      }
      routing.stopped(caller);
      following.conversationIds()
          .forEach(id -> conversationRef(id).tell(new Conversation.Unsubscribe(notifications)));
    }
    return this;
  }

  // Entity references ------------------------------------------------------------------------------------------

  private org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef<Conversation.Command> conversationRef(
      String id) {
    return deps.sharding().entityRefFor(Conversation.ENTITY_KEY, id);
  }

  private org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef<Visitor.Command> visitorRef(
      String visitorId) {
    return deps.sharding().entityRefFor(Visitor.ENTITY_KEY, Visitor.entityId(siteId, visitorId));
  }

  private org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef<Agent.Command> agentRef(String agentId) {
    return deps.sharding().entityRefFor(Agent.ENTITY_KEY, agentId);
  }

  private org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef<Dispatcher.Command> dispatcherRef(
      String site) {
    return deps.sharding().entityRefFor(Dispatcher.ENTITY_KEY, site);
  }
}
