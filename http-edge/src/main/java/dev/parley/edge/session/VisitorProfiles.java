package dev.parley.edge.session;

import dev.parley.core.visitor.Visitor;
import dev.parley.edge.protocol.FrameEncoder;
import dev.parley.edge.protocol.ServerFrame;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.ActorContext;

/**
 * The visitors an agent's connection watches: the visitor of each conversation it follows, whose profile (identity,
 * pages, device, presence) is sent as a {@code visitor} frame per followed conversation when the watch starts and
 * on every change. Watches are renewed with the session's subscriptions. Runs on the session's actor, which owns
 * its state.
 */
final class VisitorProfiles {

  record FromVisitor(Visitor.Profile profile) implements Session.Command {}

  private final Entities entities;
  private final Consumer<ServerFrame> send;
  private final ActorRef<Visitor.Profile> profiles;
  /** Visitors (by entity id) whose profile this connection watches, and the followed conversations of each. */
  private final Map<String, Set<String>> watched = new HashMap<>();

  VisitorProfiles(ActorContext<Session.Command> context, Entities entities, Consumer<ServerFrame> send) {
    this.entities = entities;
    this.send = send;
    this.profiles = context.messageAdapter(Visitor.Profile.class, FromVisitor::new);
  }

  /** Watches the visitor of a followed conversation; watching it again for the same conversation does nothing. */
  void watch(String siteId, String visitorId, String conversationId) {
    if (siteId == null || visitorId == null) {
      return;
    }
    String key = Visitor.entityId(siteId, visitorId);
    Set<String> conversations = watched.computeIfAbsent(key, k -> new LinkedHashSet<>());
    if (conversations.add(conversationId)) {
      // The first conversation of this visitor starts the watch (which answers with the profile); a later one
      // asks for the profile once, as the watch does not repeat it.
      entities
          .visitor(key)
          .tell(conversations.size() == 1 ? new Visitor.Watch(profiles) : new Visitor.GetProfile(profiles));
    }
  }

  void onProfile(FromVisitor message) {
    Visitor.Profile p = message.profile();
    Set<String> conversations = watched.get(Visitor.entityId(p.siteId(), p.visitorId()));
    if (conversations == null) {
      return;
    }
    for (String conversationId : conversations) {
      send.accept(FrameEncoder.visitorProfile(conversationId, p));
    }
  }

  void renew() {
    watched.keySet().forEach(key -> entities.visitor(key).tell(new Visitor.Watch(profiles)));
  }

  void stopped() {
    watched.keySet().forEach(key -> entities.visitor(key).tell(new Visitor.Unwatch(profiles)));
  }
}
