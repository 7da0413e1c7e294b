package dev.parley.edge.session;

import dev.parley.core.visitor.Campaign;
import dev.parley.core.visitor.Device;
import dev.parley.core.visitor.PageView;
import dev.parley.core.visitor.SearchKeyword;
import dev.parley.core.visitor.Visitor;
import dev.parley.core.visitor.Visits;
import dev.parley.edge.protocol.ServerFrame;
import dev.parley.edge.visitors.Invitation;
import dev.parley.edge.visitors.Place;
import dev.parley.edge.visitors.VisitorNow;
import dev.parley.edge.visitors.VisitorsNow;
import java.time.Instant;
import java.util.Map;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * A visitor connection's part in its site's live visitor list: it tells this node's {@link VisitorsNow} registry
 * that the visitor arrived (with the place of the connection's address, looked up once here — the address itself
 * is never handed on), which page they open, the name the host site gave and the chat state, and that the
 * connection left. Runs on the session's actor, which owns its state.
 */
final class VisitorPresence {

  private final Session session;
  private final Visitor.Profile profile;
  private final Device device;
  private final ActorRef<VisitorsNow.Command> registry;
  private final String siteId;
  private final String visitorId;
  /** The chat state last told, to tell only changes. */
  private String chat;
  /** Where the registry sends this connection's invitations. */
  private final ActorRef<VisitorsNow.ToVisitor> inbox;
  /** Invitations this connection shows now (at most {@link VisitorsNow#MAX_PENDING_INVITATIONS}). */
  private final java.util.Set<String> shown = new java.util.LinkedHashSet<>();

  /** A message of the registry for this connection. */
  record FromRegistry(VisitorsNow.ToVisitor message) implements Session.Command {}

  VisitorPresence(Session session, Visitor.Profile profile, Device device) {
    this.session = session;
    this.profile = profile;
    this.device = device != null ? device : profile.device();
    this.registry = session.deps().presence().registry();
    this.siteId = profile.siteId();
    this.visitorId = profile.visitorId();
    this.chat = profile.currentConversationId() != null ? VisitorNow.CHAT_CHATTING : VisitorNow.CHAT_NONE;
    this.inbox = session.context().messageAdapter(VisitorsNow.ToVisitor.class, FromRegistry::new);
  }

  /** An invitation to show, or one to stop showing, as frames. */
  void onRegistry(FromRegistry m) {
    if (m.message() instanceof VisitorsNow.Invited invited) {
      Invitation inv = invited.invitation();
      if (shown.add(inv.invitationId())) {
        session.send(
            new ServerFrame.Invitation(
                inv.invitationId(),
                new ServerFrame.InvitingAgent(inv.agentId(), inv.agentName(), Invitation.initials(inv.agentName())),
                inv.text(),
                inv.automatic() ? Boolean.TRUE : null,
                session.deps().clock().instant()));
      }
    } else if (m.message() instanceof VisitorsNow.InvitationOver over) {
      if (shown.remove(over.invitationId())) {
        session.send(new ServerFrame.InvitationEnded(over.invitationId(), over.outcome()));
      }
    }
  }

  /** Whether this connection shows {@code invitationId} now. */
  boolean shows(String invitationId) {
    return shown.contains(invitationId);
  }

  /** The visitor answered: the registry tells the agent and the other tabs, and records it. */
  void answer(String invitationId, String outcome, String conversationId) {
    registry.tell(new VisitorsNow.Answer(siteId, visitorId, invitationId, outcome, conversationId));
  }

  void arrived() {
    Instant now = session.deps().clock().instant();
    // The visitor entity counts this visit when the connection registers, after the profile we hold was read:
    // the same rule, applied to the same time, tells whether it will.
    int visits = profile.visits() + (Visits.isNewVisit(profile.lastActiveAt(), now) ? 1 : 0);
    Place place = session.deps().presence().geo().locate(session.client().address());
    String name = profile.identity() == null ? null
        : profile.identity().name() != null ? profile.identity().name() : profile.identity().userId();
    registry.tell(
        new VisitorsNow.Arrived(
            new VisitorNow(
                siteId,
                visitorId,
                0,
                now,
                null,
                null,
                null,
                0,
                profile.referrer(),
                SearchKeyword.of(profile.referrer()).orElse(null),
                profile.utm(),
                device,
                place,
                Math.max(visits, 1),
                name,
                chat,
                profile.currentConversationId()),
            session.self(),
            inbox));
  }

  void page(PageView view) {
    String referrer = Campaign.isExternal(view.referrer(), view.url()) ? view.referrer() : null;
    String keyword = SearchKeyword.of(referrer).orElse(null);
    Map<String, String> utm = Campaign.utm(view.url());
    registry.tell(
        new VisitorsNow.Changed(
            siteId, visitorId, v -> v.onPage(view.url(), view.title(), view.at(), referrer, keyword, utm)));
  }

  void named(String name) {
    registry.tell(new VisitorsNow.Changed(siteId, visitorId, v -> v.withName(name)));
  }

  /** A queue position for the visitor's conversation: waiting while it is above 0, then chatting. */
  void position(ServerFrame.Position position, String currentConversationId) {
    if (!position.conversationId().equals(currentConversationId)) {
      return;
    }
    chat(position.position() > 0 ? VisitorNow.CHAT_WAITING : VisitorNow.CHAT_CHATTING, currentConversationId);
  }

  void chat(String state, String conversationId) {
    if (state.equals(chat)) {
      return;
    }
    chat = state;
    registry.tell(new VisitorsNow.Changed(siteId, visitorId, v -> v.withChat(state, conversationId)));
  }

  void left() {
    registry.tell(new VisitorsNow.Left(siteId, visitorId, session.self()));
  }
}
