package dev.parley.edge.session;

import dev.parley.core.agent.Agent;
import dev.parley.core.common.Caller;
import dev.parley.core.common.Limits;
import dev.parley.core.visitor.Device;
import dev.parley.core.visitor.Visitor;
import dev.parley.edge.admission.Admission;
import dev.parley.edge.auth.AgentAccess;
import dev.parley.edge.auth.Tokens;
import dev.parley.edge.protocol.ClientFrame;
import dev.parley.edge.protocol.ErrorCode;
import dev.parley.edge.protocol.ServerFrame;
import dev.parley.persistence.directory.Account;
import dev.parley.persistence.directory.Membership;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ReceiveBuilder;

/**
 * The session before its hello succeeded: login, for visitors and agents. It is the session's first behaviour;
 * the only frames it takes are {@code hello} and {@code ping} (any other gets {@code not-authenticated}), and it
 * becomes {@link Authenticated} once the caller is known and its entity answered, after sending {@code welcome}.
 * A refused or failed hello leaves it waiting for another; none within the hello timeout closes the connection.
 *
 * <p>A visitor's token is verified against the connection's site (none: a new visitor), within admission
 * control's rate of new sessions; the visitor entity then names the open conversation. An agent's token is
 * verified, then the account and its memberships are loaded from the directory (off the actor, on the blocking
 * pool) and checked for revocation, then the agent entity registers the connection and answers with its status
 * and assigned conversations. While a hello is checked, no other frame is read. Its fields are owned by the
 * session's actor.
 */
final class AwaitingHello extends Session.State {

  private enum HelloTimeout implements Session.Command {
    INSTANCE
  }

  private record VisitorReady(
      Caller caller, Tokens.Issued token, Visitor.Profile profile, Map<String, Long> resume, Throwable failure)
      implements Session.Command {}

  private record AgentLoaded(
      Caller caller, Account account, List<Membership> memberships, Map<String, Long> resume, Throwable failure)
      implements Session.Command {}

  private record AgentReady(
      Account account, List<Membership> memberships, Map<String, Long> resume, Agent.Snapshot snapshot,
      Throwable failure)
      implements Session.Command {}

  /** An agent whose hello is being completed (its entity has not answered yet); null otherwise. */
  private Caller pendingAgent;
  /** Agent only: the token version of the hello being completed. */
  private long agentTokenVersion;
  /** Agent only: whether the hello being completed asked to only watch ({@code observe}). */
  private boolean agentObserves;
  /** Agent only: where the agent entity announces the end of this connection; created at the first agent hello. */
  private ActorRef<Agent.SessionEnded> accessNotices;

  AwaitingHello(Session session) {
    super(session);
    session.timers().startSingleTimer(HelloTimeout.INSTANCE, session.deps().settings().helloTimeout());
  }

  @Override
  void receive(ReceiveBuilder<Session.Command> builder) {
    builder
        .onMessageEquals(HelloTimeout.INSTANCE, this::onHelloTimeout)
        .onMessage(VisitorReady.class, this::onVisitorReady)
        .onMessage(AgentLoaded.class, this::onAgentLoaded)
        .onMessage(AgentReady.class, this::onAgentReady);
  }

  @Override
  boolean onFrame(ClientFrame frame, ActorRef<Session.Ack> ackTo) {
    if (frame instanceof ClientFrame.Hello hello) {
      if (session.role() == Session.Role.VISITOR) {
        visitorHello(hello, ackTo);
      } else {
        agentHello(hello, ackTo);
      }
      return true; // the next frame is read once the hello is settled
    }
    session.send(
        ServerFrame.Error.of(ErrorCode.NOT_AUTHENTICATED, "say hello first").withRef(RequestHandler.refOf(frame)));
    return false;
  }

  private Behavior<Session.Command> onHelloTimeout() {
    if (!session.closing()) {
      session.send(
          ServerFrame.Error.of(
              ErrorCode.HELLO_TIMEOUT,
              "no hello within " + session.deps().settings().helloTimeout().toSeconds() + " s"));
      session.close("no hello");
    }
    return this;
  }

  // Visitors ---------------------------------------------------------------------------------------------------

  private void visitorHello(ClientFrame.Hello hello, ActorRef<Session.Ack> ackTo) {
    SessionDeps deps = session.deps();
    String siteId = session.siteId();
    Optional<Admission.Refusal> tooMany = deps.admission().hello(session.client().address());
    if (tooMany.isPresent()) {
      session.send(Session.refusal(tooMany.get()));
      ackTo.tell(Session.Ack.INSTANCE);
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
    session.holdForHello(ackTo);
    session.pipe(
        session.entities().visitor(siteId, visitorId).<Visitor.Profile>ask(Visitor.GetProfile::new, session.askTimeout()),
        (profile, failure) -> new VisitorReady(visitor, token, profile, hello.resume(), failure));
  }

  private Behavior<Session.Command> onVisitorReady(VisitorReady ready) {
    if (ready.failure() != null) {
      helloFailed(String.valueOf(ready.failure()));
      return this;
    }
    Caller caller = ready.caller();
    SessionDeps deps = session.deps();
    String siteId = session.siteId();
    session.timers().cancel(HelloTimeout.INSTANCE);
    String current = ready.profile().currentConversationId();
    Device device = deps.userAgents().device(session.client().userAgent());
    Authenticated next =
        new Authenticated(
            session, caller, follows -> new VisitorRequests(session, caller, follows, current, ready.profile(), device));
    session.entities().visitor(siteId, caller.id()).tell(new Visitor.Connected(session.self()));
    if (device != null) {
      session.entities().visitor(siteId, caller.id()).tell(new Visitor.SeenOn(device));
    }
    session.send(
        new ServerFrame.VisitorWelcome(
            "visitor",
            siteId,
            caller.id(),
            ready.token().token(),
            ready.token().expiresAt(),
            current,
            deps.settings().heartbeat().toMillis(),
            deps.settings().idleTimeout().toMillis(),
            deps.settings().maxFrameBytes(),
            Limits.MAX_TEXT_CHARS,
            deps.clock().instant()));
    next.start(ready.resume(), current == null ? List.of() : List.of(current));
    session.log().debug("Session {}: visitor {} of {} ready", session.id(), caller.id(), siteId);
    session.helloSettled();
    return next;
  }

  // Agents -----------------------------------------------------------------------------------------------------

  private void agentHello(ClientFrame.Hello hello, ActorRef<Session.Ack> ackTo) {
    SessionDeps deps = session.deps();
    Tokens.AgentClaims claims;
    try {
      claims = deps.tokens().verifyAgent(hello.token());
    } catch (Tokens.Refused refused) {
      refuseToken(refused, ackTo);
      return;
    }
    if (claims.scope() != Tokens.Scope.FULL) {
      session.send(
          ServerFrame.Error.of(
              ErrorCode.TWO_FACTOR_ENROLMENT_REQUIRED,
              "a site you work for requires two-factor sign-in: set it up, then log in again"));
      ackTo.tell(Session.Ack.INSTANCE);
      return;
    }
    session.holdForHello(ackTo);
    agentTokenVersion = claims.tokenVersion();
    agentObserves = hello.observe();
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
    session.pipe(
        loaded,
        (result, failure) -> failure != null ? new AgentLoaded(null, null, List.of(), Map.of(), failure) : result);
  }

  private Behavior<Session.Command> onAgentLoaded(AgentLoaded loaded) {
    if (loaded.failure() != null) {
      helloFailed(String.valueOf(loaded.failure()));
      return this;
    }
    if (loaded.account() == null || loaded.memberships().isEmpty()) {
      session.send(
          ServerFrame.Error.of(
              ErrorCode.INVALID_TOKEN,
              loaded.account() == null ? AgentAccess.ACCESS_CHANGED : "the account works for no site"));
      session.helloSettled();
      return this;
    }
    Caller agent = loaded.caller();
    if (accessNotices == null) {
      accessNotices = getContext().messageAdapter(Agent.SessionEnded.class, Session.AccessEnded::new);
    }
    long tokenVersion = agentTokenVersion;
    ActorRef<Agent.SessionEnded> notices = accessNotices;
    session.pipe(
        session.entities()
            .agent(agent.id())
            .<Agent.Snapshot>ask(
                replyTo -> new Agent.Connect(session.self(), tokenVersion, notices, replyTo), session.askTimeout()),
        (snapshot, failure) ->
            new AgentReady(loaded.account(), loaded.memberships(), loaded.resume(), snapshot, failure));
    // Remember who is asking; the session becomes authenticated only when the agent entity answered.
    pendingAgent = agent;
    return this;
  }

  private Behavior<Session.Command> onAgentReady(AgentReady ready) {
    if (ready.failure() != null) {
      pendingAgent = null;
      helloFailed(String.valueOf(ready.failure()));
      return this;
    }
    Caller caller = pendingAgent;
    pendingAgent = null;
    SessionDeps deps = session.deps();
    session.timers().cancel(HelloTimeout.INSTANCE);
    boolean online = ready.snapshot().status() == Agent.Status.ONLINE;
    long tokenVersion = agentTokenVersion;
    boolean observes = agentObserves;
    String displayName = ready.account().displayName();
    ActorRef<Agent.SessionEnded> notices = accessNotices;
    Authenticated next =
        new Authenticated(
            session,
            caller,
            follows -> new AgentRequests(session, caller, follows, tokenVersion, notices, online, observes, displayName));
    List<ServerFrame.SiteRole> sites =
        ready.memberships().stream()
            .map(m -> new ServerFrame.SiteRole(m.siteId(), m.role().code()))
            .toList();
    session.send(
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
    next.start(ready.resume(), ready.snapshot().activeConversationIds());
    session.log().debug("Session {}: agent {} ready", session.id(), caller.id());
    session.helloSettled();
    return next;
  }

  // Refusals ---------------------------------------------------------------------------------------------------

  private void refuseToken(Tokens.Refused refused, ActorRef<Session.Ack> ackTo) {
    ErrorCode code = refused.expired() ? ErrorCode.TOKEN_EXPIRED : ErrorCode.INVALID_TOKEN;
    String advice =
        session.role() == Session.Role.VISITOR
            ? "; say hello without a token to continue as a new visitor"
            : "; log in again for a new token";
    session.send(ServerFrame.Error.of(code, "the token was refused (" + refused.getMessage() + ")" + advice));
    ackTo.tell(Session.Ack.INSTANCE);
  }

  private void helloFailed(String why) {
    session.log().warn("Session {}: hello failed: {}", session.id(), why);
    session.send(ServerFrame.Error.of(ErrorCode.UNAVAILABLE, "the server could not complete the hello; try again"));
    session.helloSettled();
  }
}
