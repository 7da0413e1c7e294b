package dev.parley.edge.session;

import dev.parley.core.common.Caller;
import dev.parley.core.conversation.Conversation;
import dev.parley.core.dispatcher.Dispatcher;
import dev.parley.core.routing.RoutingHints;
import dev.parley.core.visitor.Device;
import dev.parley.core.visitor.PageView;
import dev.parley.core.visitor.Visitor;
import dev.parley.edge.admission.Admission;
import dev.parley.edge.protocol.ClientFrame;
import dev.parley.edge.protocol.ErrorCode;
import dev.parley.edge.protocol.ServerFrame;
import dev.parley.edge.visitors.Invitation;
import dev.parley.edge.visitors.VisitorNow;
import dev.parley.persistence.directory.SiteWidget;
import java.util.Map;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import java.util.Optional;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.javadsl.ReceiveBuilder;
import org.apache.pekko.pattern.StatusReply;

/**
 * The requests of a visitor's connection: {@code send} to "my conversation" (opened by the visitor entity when
 * there is none, within admission control), {@code identify}, {@code page} and {@code rate}, besides those every
 * role has. A visitor has no claim, status, transfer, note or decline: those frames are refused. Its presence: the
 * visitor entity knows the connection (the login told it), and the site's dispatcher tells it the site's
 * availability and its conversation's place in the queue ({@link SessionRouting}). Runs on the session's actor,
 * which owns its state.
 */
final class VisitorRequests extends CommonRequests {

  private static final Map<Class<? extends ClientFrame>, String> AGENTS_ONLY =
      Map.of(
          ClientFrame.Claim.class, "only agents claim conversations",
          ClientFrame.SetStatus.class, "only agents have a status",
          ClientFrame.Transfer.class, "only agents transfer conversations",
          ClientFrame.Note.class, "only agents write notes",
          ClientFrame.Decline.class, "only agents decline offers",
          ClientFrame.Invite.class, "only agents invite visitors");

  private final String siteId;
  /** The key admission control counts this visitor's messages and identities under. */
  private final String visitorKey;
  private final SessionRouting routing;
  /** How many page frames may be sent now. */
  private final PageRate pages = new PageRate(System.nanoTime());
  /** The visitor's open conversation as last known, or null. */
  private String currentConversationId;
  /** This connection's part in the site's live visitor list (docs/PROTOCOL.md §12). */
  private final VisitorPresence presence;

  /**
   * @param profile the visitor entity's answer to the hello
   * @param device the device of this connection's User-Agent, or null
   */
  VisitorRequests(
      Session session,
      Caller caller,
      Subscriptions subscriptions,
      String currentConversationId,
      Visitor.Profile profile,
      Device device) {
    super(session, caller, subscriptions);
    this.siteId = session.siteId();
    this.visitorKey = siteId + "/" + caller.id();
    this.currentConversationId = currentConversationId;
    this.presence = new VisitorPresence(session, profile, device);
    this.routing =
        new SessionRouting(
            session.context(),
            session.deps().sharding(),
            frame -> {
              if (frame instanceof ServerFrame.Position position) {
                presence.position(position, this.currentConversationId);
              }
              session.send(frame);
            },
            id -> subscriptions.follow(id, 0L, false));
  }

  @Override
  public void started() {
    routing.visitorReady(siteId, currentConversationId);
    presence.arrived();
  }

  @Override
  public void receive(ReceiveBuilder<Session.Command> builder) {
    routing.receive(builder);
    builder.onMessage(
        VisitorPresence.FromRegistry.class,
        m -> {
          presence.onRegistry(m);
          return Behaviors.same();
        });
  }

  @Override
  public void inSync(Following.InSync inSync) {
    // A visitor knows who it is.
  }

  @Override
  public void renew() {
    routing.renew(caller, siteId);
  }

  @Override
  public void stopped() {
    entities.visitor(siteId, caller.id()).tell(new Visitor.Disconnected(session.self()));
    routing.stopped(caller);
    presence.left();
  }

  @Override
  boolean handleOwn(ClientFrame frame) {
    if (frame instanceof ClientFrame.Send send) {
      onSend(send);
    } else if (frame instanceof ClientFrame.Identify identify) {
      onIdentify(identify);
    } else if (frame instanceof ClientFrame.Page page) {
      onPage(page);
    } else if (frame instanceof ClientFrame.Rate rate) {
      onRate(rate);
    } else if (frame instanceof ClientFrame.AnswerInvitation answer) {
      onAnswerInvitation(answer);
    } else {
      return false;
    }
    return true;
  }

  @Override
  String notAllowed(ClientFrame frame) {
    return AGENTS_ONLY.getOrDefault(frame.getClass(), "visitors do not send this frame");
  }

  @Override
  void closed(String conversationId) {
    if (conversationId.equals(currentConversationId)) {
      currentConversationId = null;
      presence.chat(VisitorNow.CHAT_NONE, null);
    }
  }

  // Send -------------------------------------------------------------------------------------------------------

  private void onSend(ClientFrame.Send send) {
    Optional<Admission.Refusal> refused =
        session.deps().admission().send(visitorKey, session.client().address());
    if (refused.isPresent()) {
      session.send(Session.refusal(refused.get()).withRef(send.id()));
      return;
    }
    if (send.conversationId() != null) {
      post(send, send.conversationId(), false);
    } else if (currentConversationId != null) {
      post(send, currentConversationId, true);
    } else {
      ensureConversation(send, null);
    }
  }

  /**
   * A visitor message that needs a new conversation: within the address's and the site's rate, and only while the
   * address has fewer than its maximum of conversations waiting in the site's queue (the site's dispatcher counts).
   * {@code stale}: the conversation the message was meant for, found closed; null when there was none.
   */
  private void ensureConversation(ClientFrame.Send send, String stale) {
    Admission admission = session.deps().admission();
    String address = session.client().address();
    Optional<Admission.Refusal> refused = admission.newConversation(address, siteId);
    if (refused.isPresent()) {
      session.send(Session.refusal(refused.get()).withRef(send.id()));
      return;
    }
    session.requestStarted();
    session.whenDone(
        entities.dispatcher(siteId)
            .<Integer>ask(
                replyTo -> new Dispatcher.CountWaiting(admission.clientKey(address), replyTo), session.askTimeout()),
        (count, failure) -> {
          session.requestDone();
          if (failure != null) {
            session.sendFailure(failure, send.id(), null);
            return;
          }
          Optional<Admission.Refusal> full = admission.mayWait(count);
          if (full.isPresent()) {
            session.send(Session.refusal(full.get()).withRef(send.id()));
            return;
          }
          sendThroughVisitor(send, stale);
        });
  }

  /**
   * The visitor entity decides where a message without a live conversation goes (its open conversation, or a new
   * one: two tabs never open two, a closed conversation is never reopened) and posts it; the edge forwards the
   * message and maps the answer.
   */
  private void sendThroughVisitor(ClientFrame.Send send, String stale) {
    if (send.hasFile()) {
      fileThroughVisitor(send, stale);
      return;
    }
    RoutingHints hints = hintsOf(send);
    session.requestStarted();
    session.whenDone(
        entities.visitor(siteId, caller.id())
            .<StatusReply<Visitor.Sent>>ask(
                replyTo -> new Visitor.Send(caller, send.id(), send.text(), hints, stale, replyTo),
                session.askTimeout()),
        (reply, failure) -> {
          session.requestDone();
          if (failure != null || reply.isError()) {
            Throwable problem = failure != null ? failure : reply.getError();
            if (problem instanceof StatusReply.ErrorMessage refusal) {
              acknowledge(send, null, StatusReply.error(refusal.getMessage()), null); // the rejection's frame
            } else {
              session.sendFailure(problem, send.id(), null); // the conversation did not answer the visitor in time
            }
            return;
          }
          Visitor.Sent sent = reply.getValue();
          if (!sent.conversationId().equals(currentConversationId)) {
            currentConversationId = sent.conversationId();
            presence.chat(VisitorNow.CHAT_WAITING, currentConversationId);
          }
          if (acknowledge(send, sent.conversationId(), StatusReply.success(sent.posted()), null)) {
            routing.follow(siteId, sent.conversationId());
          }
        });
  }

  /**
   * A file is resolved and attached by the edge against the conversation it goes to (its upload's records are the
   * read side's), so the visitor entity names that conversation first ({@code EnsureConversation}: its open one,
   * else a new one; never a closed one) and the edge then posts the file there.
   */
  private void fileThroughVisitor(ClientFrame.Send send, String stale) {
    session.requestStarted();
    session.whenDone(
        entities.visitor(siteId, caller.id())
            .<StatusReply<String>>ask(
                replyTo -> new Visitor.EnsureConversation(stale, replyTo), session.askTimeout()),
        (reply, failure) -> {
          session.requestDone();
          Throwable problem = failure != null ? failure : reply.isError() ? reply.getError() : null;
          if (problem != null) {
            session.sendFailure(problem, send.id(), null);
            return;
          }
          if (!reply.getValue().equals(currentConversationId)) {
            currentConversationId = reply.getValue();
            presence.chat(VisitorNow.CHAT_WAITING, currentConversationId);
          }
          post(send, currentConversationId, true, stale != null);
        });
  }

  private RoutingHints hintsOf(ClientFrame.Send send) {
    return new RoutingHints(
        send.group(), send.pageUrl(), session.deps().admission().clientKey(session.client().address()));
  }

  /** {@code implicit}: sent to "my conversation", which the edge holds; a closed one goes to the visitor. */
  private void post(ClientFrame.Send send, String conversationId, boolean implicit) {
    post(send, conversationId, implicit, false);
  }

  /** {@code retried}: the visitor named this conversation after the one held was found closed: no second round. */
  private void post(ClientFrame.Send send, String conversationId, boolean implicit, boolean retried) {
    post(
        send,
        conversationId,
        implicit,
        hintsOf(send),
        (reply, failure) -> {
          if (failure == null
              && reply.isError()
              && implicit
              && !retried
              && ErrorCode.ofRejectionMessage(reply.getError().getMessage()) == ErrorCode.CONVERSATION_CLOSED) {
            // "My conversation" was closed meanwhile: where the message goes is the visitor's decision.
            ensureConversation(send, conversationId);
            return;
          }
          if (acknowledge(send, conversationId, reply, failure) && implicit) {
            routing.follow(siteId, conversationId);
          }
        });
  }

  // Identity, pages, ratings -----------------------------------------------------------------------------------

  private void onIdentify(ClientFrame.Identify identify) {
    Optional<Admission.Refusal> refused = session.deps().admission().identify(visitorKey);
    if (refused.isPresent()) {
      session.send(Session.refusal(refused.get()).withRef(identify.id()));
      return;
    }
    session.requestStarted();
    session.whenDone(
        session.deps().sites().widget(siteId),
        (widget, failure) -> {
          session.requestDone();
          if (failure != null) {
            session.sendFailure(failure, identify.id(), null);
            return;
          }
          identityChecked(identify, widget);
        });
  }

  private void identityChecked(ClientFrame.Identify identify, SiteWidget widget) {
    Optional<String> problem = IdentityCheck.problem(identify, widget, session.deps().clock().instant());
    if (problem.isPresent()) {
      session.send(
          ServerFrame.Error.of(ErrorCode.IDENTITY_REJECTED, problem.get())
              .withField(IdentityCheck.field(identify))
              .withRef(identify.id()));
      return;
    }
    session.requestStarted();
    session.whenDone(
        entities.visitor(siteId, caller.id())
            .<StatusReply<Done>>ask(
                replyTo -> new Visitor.Identify(IdentityCheck.identity(identify), replyTo), session.askTimeout()),
        (reply, failure) -> {
          session.requestDone();
          answer(
              identify.id(),
              null,
              reply,
              failure,
              done -> {
                presence.named(identify.name() != null ? identify.name() : identify.userId());
                ack(identify.id(), null);
              });
        });
  }

  private void onPage(ClientFrame.Page page) {
    if (!pages.tryTake(System.nanoTime())) {
      session.send(ServerFrame.Error.of(ErrorCode.RATE_LIMITED, PageRate.limit()));
      return;
    }
    PageView view = new PageView(page.url(), page.title(), page.referrer(), session.deps().clock().instant());
    entities.visitor(siteId, caller.id()).tell(new Visitor.ViewPage(view));
    presence.page(view);
  }

  /**
   * Accepting needs the conversation the visitor's first message opened: the inviting agent joins it. Closing
   * just stops the invitation. Either way the registry tells the agent and records it, once.
   */
  private void onAnswerInvitation(ClientFrame.AnswerInvitation answer) {
    if (!presence.shows(answer.invitationId())) {
      session.send(
          ServerFrame.Error.of(ErrorCode.INVALID_FIELD, "no such invitation is open")
              .withField("invitationId")
              .withRef(answer.id()));
      return;
    }
    boolean accept = answer.answer().equals("accept");
    if (accept && currentConversationId == null) {
      session.send(
          ServerFrame.Error.of(ErrorCode.INVALID_FIELD, "send a message first: accepting joins its conversation")
              .withField("answer")
              .withRef(answer.id()));
      return;
    }
    presence.answer(
        answer.invitationId(),
        accept ? Invitation.ACCEPTED : Invitation.CLOSED,
        accept ? currentConversationId : null);
    session.send(new ServerFrame.Ack(answer.id(), accept ? currentConversationId : null, null, null));
  }

  private void onRate(ClientFrame.Rate rate) {
    session.requestStarted();
    session.whenDone(
        entities.conversation(rate.conversationId())
            .<StatusReply<Done>>ask(
                replyTo -> new Conversation.Rate(caller, rate.score(), rate.comment(), replyTo),
                session.askTimeout()),
        (reply, failure) -> {
          session.requestDone();
          answer(rate.id(), rate.conversationId(), reply, failure, done -> ack(rate.id(), rate.conversationId()));
        });
  }
}
