package dev.parley.edge.session;

import dev.parley.core.common.Caller;
import dev.parley.edge.protocol.ClientFrame;
import dev.parley.edge.protocol.ErrorCode;
import dev.parley.edge.protocol.ServerFrame;
import dev.parley.edge.visitors.Invitation;
import dev.parley.edge.visitors.VisitorFilter;
import dev.parley.edge.visitors.VisitorFrames;
import dev.parley.edge.visitors.VisitorsNow;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.ActorContext;

/**
 * The live visitor lists an agent's connection watches ({@code watchVisitors}, docs/PROTOCOL.md §12): one per site
 * it works for, each with its own server-side filter, fed by this node's {@link VisitorsNow} registry with at most
 * one update a second. Runs on the session's actor, which owns its state.
 */
final class VisitorWatches {

  record FromRegistry(VisitorsNow.ListUpdate update) implements Session.Command {}

  record Answered(VisitorsNow.InvitationAnswered answered) implements Session.Command {}

  private record Delivered(ClientFrame.Invite invite, boolean reached, Throwable failure)
      implements Session.Command {}

  private final Caller caller;
  private final ActorRef<VisitorsNow.Command> registry;
  private final Consumer<ServerFrame> send;
  private final ActorRef<VisitorsNow.ListUpdate> updates;
  private final ActorRef<VisitorsNow.InvitationAnswered> answers;
  private final ActorContext<Session.Command> context;
  private final String agentName;
  private final java.time.Clock clock;
  /** Runs a request as if the agent had sent it (the claim and first message of an accepted invitation). */
  private final Consumer<ClientFrame> act;
  /** Site → the language the watcher asked for (null: English). */
  private final Map<String, String> languages = new HashMap<>();

  VisitorWatches(
      ActorContext<Session.Command> context,
      Caller caller,
      String agentName,
      ActorRef<VisitorsNow.Command> registry,
      Consumer<ServerFrame> send,
      Consumer<ClientFrame> act,
      java.time.Clock clock) {
    this.context = context;
    this.caller = caller;
    this.agentName = agentName;
    this.act = act;
    this.clock = clock;
    this.answers = context.messageAdapter(VisitorsNow.InvitationAnswered.class, Answered::new);
    this.registry = registry;
    this.send = send;
    this.updates = context.messageAdapter(VisitorsNow.ListUpdate.class, FromRegistry::new);
  }

  void watch(ClientFrame.WatchVisitors watch) {
    if (!caller.belongsTo(watch.siteId())) {
      send.accept(
          ServerFrame.Error.of(ErrorCode.NOT_ALLOWED, "you do not work for this site").withField("siteId"));
      return;
    }
    languages.put(watch.siteId(), watch.lang());
    registry.tell(
        new VisitorsNow.Watch(
            watch.siteId(),
            updates,
            new VisitorFilter(watch.text(), watch.chat(), watch.returning(), watch.country()),
            watch.limit()));
  }

  void unwatch(ClientFrame.UnwatchVisitors unwatch) {
    if (languages.containsKey(unwatch.siteId())) {
      languages.remove(unwatch.siteId());
      registry.tell(new VisitorsNow.Unwatch(unwatch.siteId(), updates));
    }
  }

  void onUpdate(FromRegistry message) {
    String siteId = message.update().siteId();
    if (!languages.containsKey(siteId)) {
      return; // unwatched meanwhile
    }
    send.accept(VisitorFrames.frame(message.update(), languages.get(siteId)));
  }

  /** Shows the invitation on every open connection of the visitor; answered with an ack or visitor-offline. */
  void invite(ClientFrame.Invite invite) {
    if (!caller.belongsTo(invite.siteId())) {
      send.accept(
          ServerFrame.Error.of(ErrorCode.NOT_ALLOWED, "you do not work for this site")
              .withField("siteId")
              .withRef(invite.id()));
      return;
    }
    Invitation invitation =
        new Invitation(
            java.util.UUID.randomUUID().toString(),
            invite.siteId(),
            invite.visitorId(),
            caller.id(),
            agentName,
            invite.text(),
            invite.id(),
            clock.instant(),
            false,
            null);
    context.ask(
        Boolean.class,
        registry,
        java.time.Duration.ofSeconds(5),
        replyTo -> new VisitorsNow.Invite(invitation, answers, replyTo),
        (reached, failure) -> new Delivered(invite, Boolean.TRUE.equals(reached), failure));
  }

  void onDelivered(Session.Command message) {
    Delivered d = (Delivered) message;
    if (d.reached()) {
      send.accept(new ServerFrame.Ack(d.invite().id(), null, null, null));
    } else {
      send.accept(
          ServerFrame.Error.of(ErrorCode.VISITOR_OFFLINE, "the visitor is not online now (or has 3 open invitations)")
              .withField("visitorId")
              .withRef(d.invite().id()));
    }
  }

  static Class<? extends Session.Command> deliveredClass() {
    return Delivered.class;
  }

  /**
   * The agent hears the answer; on acceptance this connection claims the conversation the visitor opened and
   * posts the invitation's text as its first message (held until the claim is decided).
   */
  void onAnswered(Answered message) {
    VisitorsNow.InvitationAnswered a = message.answered();
    Invitation inv = a.invitation();
    send.accept(
        new ServerFrame.InvitationAnswered(
            inv.frameId(), inv.invitationId(), inv.siteId(), inv.visitorId(), a.outcome(), a.conversationId()));
    if (Invitation.ACCEPTED.equals(a.outcome()) && a.conversationId() != null) {
      act.accept(new ClientFrame.Claim("invitation-" + inv.invitationId(), a.conversationId()));
      act.accept(
          new ClientFrame.Send("invitation-text-" + inv.invitationId(), a.conversationId(), inv.text(), null, null));
    }
  }

  void stopped() {
    for (String siteId : languages.keySet()) {
      registry.tell(new VisitorsNow.Unwatch(siteId, updates));
    }
  }
}
