package dev.parley.edge.session;

import dev.parley.core.access.Permission;
import dev.parley.core.agent.Agent;
import dev.parley.core.common.Caller;
import dev.parley.core.conversation.Conversation;
import dev.parley.core.dispatcher.Dispatcher;
import dev.parley.core.routing.RoutingHints;
import dev.parley.edge.protocol.ClientFrame;
import dev.parley.edge.protocol.ErrorCode;
import dev.parley.edge.protocol.ServerFrame;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.ReceiveBuilder;
import org.apache.pekko.pattern.StatusReply;

/**
 * The requests of an agent's connection: {@code send} to a named conversation, {@code claim}, {@code transfer},
 * {@code note}, {@code status} and {@code decline}, besides those every role has. An agent has no identify, page
 * or rate: those frames are refused. Its presence: the agent entity knows the connection (renewed with the
 * subscriptions, so that it can end it when the account's access changes), it watches the queues of its sites
 * ({@link QueueViews}) and the visitors of the conversations it follows ({@link VisitorProfiles}), and the sites'
 * dispatchers know whether it takes offers ({@link SessionRouting}).
 *
 * <p>A claim or transfer is one request to the site's dispatcher, answered once the conversation recorded the
 * join or the transfer; the requests about the same conversation that arrive meanwhile wait and then run in order,
 * so that a reply sent right after {@code claim} is not refused as not assigned (docs/PROTOCOL.md §5: the ack
 * comes before what follows). Runs on the session's actor, which owns its state.
 */
final class AgentRequests extends CommonRequests {

  private static final Map<Class<? extends ClientFrame>, String> VISITORS_ONLY =
      Map.of(
          ClientFrame.Identify.class, "only visitors identify themselves",
          ClientFrame.Page.class, "only visitors report pages",
          ClientFrame.Rate.class, "only visitors rate conversations",
          ClientFrame.AnswerInvitation.class, "only visitors answer invitations");

  private final long tokenVersion;
  private final ActorRef<Agent.SessionEnded> accessNotices;
  private final SessionRouting routing;
  private final QueueViews queues;
  private final VisitorProfiles profiles;
  private final VisitorWatches visitorLists;
  /** Whether the agent's chosen status was online at login; routing starts from it. */
  private final boolean onlineAtLogin;
  /** A watching connection (hello {@code observe}): never announced to dispatchers, so never offered chats. */
  private final boolean observes;
  /** Whether the status being set is online, applied to routing when the agent entity acks (the latest asked). */
  private boolean settingOnline;
  /**
   * Conversations with a claim or transfer being decided, and the requests about them that arrived meanwhile (at
   * most {@code max-in-flight-requests} each; beyond, refused with {@code unavailable}); they run, in order, once
   * it is decided ({@link #settled}).
   */
  private final Map<String, List<ClientFrame>> settling = new HashMap<>();

  /**
   * @param tokenVersion the token version the connection authenticated with, renewed with the agent entity
   * @param accessNotices where the agent entity announces the end of this connection
   * @param online whether the agent's chosen status is online
   * @param observes whether the connection only watches (the web console): it is not announced to dispatchers
   */
  AgentRequests(
      Session session,
      Caller caller,
      Subscriptions subscriptions,
      long tokenVersion,
      ActorRef<Agent.SessionEnded> accessNotices,
      boolean online,
      boolean observes,
      String displayName) {
    super(session, caller, subscriptions);
    this.tokenVersion = tokenVersion;
    this.accessNotices = accessNotices;
    this.onlineAtLogin = online;
    this.observes = observes;
    this.routing =
        new SessionRouting(
            session.context(), session.deps().sharding(), session::send, id -> subscriptions.follow(id, 0L, false));
    this.queues = new QueueViews(session.context(), entities, session::send);
    this.profiles = new VisitorProfiles(session.context(), entities, session::send);
    this.visitorLists =
        new VisitorWatches(
            session.context(),
            caller,
            displayName,
            session.deps().presence().registry(),
            session::send,
            this::handle,
            session.deps().clock());
  }

  @Override
  public void started() {
    queues.watch(caller.siteIds());
    if (!observes) {
      routing.agentReady(caller, onlineAtLogin);
    }
  }

  @Override
  public void receive(ReceiveBuilder<Session.Command> builder) {
    builder
        .onMessage(
            QueueViews.FromQueue.class,
            m -> {
              queues.onNotice(m);
              return Behaviors.same();
            })
        .onMessage(
            VisitorProfiles.FromVisitor.class,
            m -> {
              profiles.onProfile(m);
              return Behaviors.same();
            })
        .onMessage(
            VisitorWatches.FromRegistry.class,
            m -> {
              visitorLists.onUpdate(m);
              return Behaviors.same();
            })
        .onMessage(
            VisitorWatches.Answered.class,
            m -> {
              visitorLists.onAnswered(m);
              return Behaviors.same();
            })
        .onMessage(
            VisitorWatches.deliveredClass(),
            m -> {
              visitorLists.onDelivered(m);
              return Behaviors.same();
            });
    routing.receive(builder);
  }

  @Override
  public void inSync(Following.InSync inSync) {
    profiles.watch(inSync.siteId(), inSync.visitorId(), inSync.conversationId());
  }

  @Override
  public void renew() {
    profiles.renew();
    queues.renew();
    routing.renew(caller, null);
    entities.agent(caller.id()).tell(new Agent.KeepConnected(session.self(), tokenVersion, accessNotices));
  }

  @Override
  public void stopped() {
    entities.agent(caller.id()).tell(new Agent.Disconnect(session.self()));
    queues.stopped();
    profiles.stopped();
    visitorLists.stopped();
    routing.stopped(caller);
  }

  @Override
  public void handle(ClientFrame frame) {
    String about = conversationOf(frame);
    if (about != null && settling.containsKey(about)) {
      // A claim or transfer of this conversation is still being decided: what follows it waits, so that a
      // reply sent right after "accept" is not refused as not-assigned.
      List<ClientFrame> held = settling.get(about);
      if (held.size() >= session.deps().settings().maxInFlightRequests()) {
        session.send(
            ServerFrame.Error.of(ErrorCode.UNAVAILABLE, "too many requests wait for this conversation; resend")
                .withRef(RequestHandler.refOf(frame))
                .withConversation(about));
      } else {
        held.add(frame);
      }
      return;
    }
    super.handle(frame);
  }

  @Override
  boolean handleOwn(ClientFrame frame) {
    if (frame instanceof ClientFrame.Send send) {
      onSend(send);
    } else if (frame instanceof ClientFrame.Claim claim) {
      locate(claim, claim.id(), claim.conversationId());
    } else if (frame instanceof ClientFrame.Transfer transfer) {
      locate(transfer, transfer.id(), transfer.conversationId());
    } else if (frame instanceof ClientFrame.Note note) {
      onNote(note);
    } else if (frame instanceof ClientFrame.SetStatus set) {
      onSetStatus(set);
    } else if (frame instanceof ClientFrame.Decline decline) {
      routing.decline(caller, decline);
    } else if (frame instanceof ClientFrame.WatchVisitors watch) {
      visitorLists.watch(watch);
    } else if (frame instanceof ClientFrame.UnwatchVisitors unwatch) {
      visitorLists.unwatch(unwatch);
    } else if (frame instanceof ClientFrame.Invite invite) {
      visitorLists.invite(invite);
    } else {
      return false;
    }
    return true;
  }

  @Override
  String notAllowed(ClientFrame frame) {
    return VISITORS_ONLY.getOrDefault(frame.getClass(), "agents do not send this frame");
  }

  // Requests ---------------------------------------------------------------------------------------------------

  private void onSend(ClientFrame.Send send) {
    if (send.conversationId() == null) {
      session.send(
          ServerFrame.Error.of(ErrorCode.MISSING_FIELD, "agents must name the conversation")
              .withField("conversationId")
              .withRef(send.id()));
      return;
    }
    String id = send.conversationId();
    post(
        send,
        id,
        false,
        new RoutingHints(send.group(), send.pageUrl(), null),
        (reply, failure) -> acknowledge(send, id, reply, failure));
  }

  private void onNote(ClientFrame.Note note) {
    session.requestStarted();
    session.whenDone(
        entities.conversation(note.conversationId())
            .<StatusReply<Long>>ask(
                replyTo -> new Conversation.AddNote(caller, note.id(), note.text(), replyTo), session.askTimeout()),
        (reply, failure) -> {
          session.requestDone();
          answer(note.id(), note.conversationId(), reply, failure, noteSeq -> ack(note.id(), note.conversationId()));
        });
  }

  private void onSetStatus(ClientFrame.SetStatus set) {
    Agent.Status status;
    try {
      status = Agent.Status.valueOf(set.status().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      session.send(
          ServerFrame.Error.of(ErrorCode.INVALID_FIELD, "status must be online, away or offline")
              .withField("status")
              .withRef(set.id()));
      return;
    }
    session.requestStarted();
    settingOnline = status == Agent.Status.ONLINE;
    session.whenDone(
        entities.agent(caller.id())
            .<StatusReply<Done>>ask(replyTo -> new Agent.SetStatus(status, replyTo), session.askTimeout()),
        (reply, failure) -> {
          session.requestDone();
          answer(
              set.id(),
              null,
              reply,
              failure,
              done -> {
                ack(set.id(), null);
                if (!observes) {
                  routing.statusChanged(caller, settingOnline);
                }
              });
        });
  }

  // Claims and transfers ---------------------------------------------------------------------------------------

  /**
   * A claim or transfer goes to the site's dispatcher, which decides it and answers once the conversation
   * recorded the join or the transfer (with its seq). An agent of one site needs nothing else; for an agent of several sites the
   * conversation first names its site (and checks the agent may see it). The requests that follow about the same
   * conversation wait until the answer ({@link #settled}).
   */
  private void locate(ClientFrame request, String ref, String conversationId) {
    settling.put(conversationId, new ArrayList<>());
    session.requestStarted();
    if (caller.siteIds().size() == 1) {
      decideAt(caller.siteIds().iterator().next(), request, conversationId);
      return;
    }
    session.whenDone(
        entities.conversation(conversationId)
            .<StatusReply<Conversation.Summary>>ask(
                replyTo -> new Conversation.GetSummary(caller, replyTo), session.askTimeout()),
        (reply, failure) -> located(request, ref, conversationId, reply, failure));
  }

  private void located(
      ClientFrame request,
      String ref,
      String conversationId,
      StatusReply<Conversation.Summary> reply,
      Throwable failure) {
    if (failure != null || reply.isError()) {
      refused(ref, conversationId, failure, reply);
      return;
    }
    decideAt(reply.getValue().siteId(), request, conversationId);
  }

  /** The site's dispatcher is the one place that decides who has a conversation (capacity, no double take). */
  private void decideAt(String siteId, ClientFrame request, String conversationId) {
    if (request instanceof ClientFrame.Claim claim) {
      session.whenDone(
          entities.dispatcher(siteId)
              .<StatusReply<Dispatcher.Joined>>ask(
                  replyTo ->
                      new Dispatcher.Claim(
                          caller.id(), conversationId, null, replyTo,
                          caller.may(siteId, Permission.CLAIM_OUTSIDE_GROUPS)),
                  session.askTimeout()),
          (joined, refusal) ->
              decided(
                  claim.id(),
                  conversationId,
                  joined,
                  refusal,
                  j -> {
                    session.send(new ServerFrame.Ack(claim.id(), conversationId, j.seq(), null));
                    subscriptions.followFromStart(conversationId);
                  }));
    } else if (request instanceof ClientFrame.Transfer t) {
      // The transfer's id is the agent's and the frame's: a frame resent after a lost answer is the same transfer.
      String transferId = caller.id() + "/" + t.id();
      session.whenDone(
          entities.dispatcher(siteId)
              .<StatusReply<Dispatcher.Handed>>ask(
                  replyTo ->
                      new Dispatcher.Transfer(
                          caller.id(), conversationId, t.toAgent(), t.toGroup(), t.note(), replyTo,
                          caller.may(siteId, Permission.TRANSFER_ANY_CONVERSATION), transferId),
                  session.askTimeout()),
          (handed, refusal) ->
              decided(
                  t.id(),
                  conversationId,
                  handed,
                  refusal,
                  h -> session.send(new ServerFrame.Ack(t.id(), conversationId, h.seq() > 0 ? h.seq() : null, null))));
    }
  }

  /** The last step of a claim or transfer: its answer, then the requests held behind it run. */
  private <T> void decided(
      String ref, String conversationId, StatusReply<T> reply, Throwable failure, java.util.function.Consumer<T> ok) {
    session.requestDone();
    try {
      answer(ref, conversationId, reply, failure, ok);
    } finally {
      settled(conversationId);
    }
  }

  /** Ends a claim or transfer that failed or was refused on the way, with the matching error frame. */
  private void refused(String ref, String conversationId, Throwable failure, StatusReply<?> reply) {
    session.requestDone();
    answer(ref, conversationId, reply, failure, value -> {});
    settled(conversationId);
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
}
