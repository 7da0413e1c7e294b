package dev.parley.edge.session;

import dev.parley.core.common.Caller;
import dev.parley.core.dispatcher.Dispatcher;
import dev.parley.edge.protocol.ClientFrame;
import dev.parley.edge.protocol.ServerFrame;
import java.util.LinkedHashMap;
import java.util.function.Consumer;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.ReceiveBuilder;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;

/**
 * The routing part of a {@link Session}: an agent's presence and offers, a visitor's queue position and the
 * site's availability. Kept apart from the requests so that routing stays in one place; each role's {@link
 * RequestHandler} has one. It runs on the session's actor and all its state is owned by that actor.
 *
 * <p>Presence, position follows and availability are renewed with the session's subscription renewal, so a
 * dispatcher that restarted or moved learns them again within one renewal period.
 */
final class SessionRouting {

  /** Open offers remembered per connection (to route a decline to the right site); the oldest is forgotten. */
  static final int MAX_OPEN_OFFERS = 200;

  record FromNotice(Dispatcher.AgentNotice notice) implements Session.Command {}

  record FromPosition(Dispatcher.PositionUpdate update) implements Session.Command {}

  record FromAvailability(Dispatcher.Availability availability) implements Session.Command {}

  private final ClusterSharding sharding;
  private final Consumer<ServerFrame> send;
  private final Consumer<String> followConversation;
  private final ActorRef<Dispatcher.AgentNotice> notices;
  private final ActorRef<Dispatcher.PositionUpdate> positions;
  private final ActorRef<Dispatcher.Availability> availabilities;
  /** Agent: conversation id to site of each open offer. */
  private final LinkedHashMap<String, String> openOffers = new LinkedHashMap<>();
  /** Agent: whether the chosen status is online (offers are made only then). */
  private boolean online = true;
  /** Visitor: the conversation whose position is followed, or null; and the last position sent (-1: none). */
  private String followed;
  private int lastPosition = -1;
  private Dispatcher.Availability lastAvailability;

  /** {@code follow}: makes the session follow a conversation handed to this agent by a transfer. */
  SessionRouting(
      ActorContext<Session.Command> context,
      ClusterSharding sharding,
      Consumer<ServerFrame> send,
      Consumer<String> follow) {
    this.sharding = sharding;
    this.send = send;
    this.followConversation = follow;
    this.notices = context.messageAdapter(Dispatcher.AgentNotice.class, FromNotice::new);
    this.positions = context.messageAdapter(Dispatcher.PositionUpdate.class, FromPosition::new);
    this.availabilities = context.messageAdapter(Dispatcher.Availability.class, FromAvailability::new);
  }

  /** Adds the dispatchers' messages: offers, queue positions, availability. */
  void receive(ReceiveBuilder<Session.Command> builder) {
    builder
        .onMessage(
            FromNotice.class,
            m -> {
              onNotice(m);
              return Behaviors.same();
            })
        .onMessage(
            FromPosition.class,
            m -> {
              onPosition(m);
              return Behaviors.same();
            })
        .onMessage(
            FromAvailability.class,
            m -> {
              onAvailability(m);
              return Behaviors.same();
            });
  }

  // Agents -----------------------------------------------------------------------------------------------------

  void agentReady(Caller agent, boolean online) {
    this.online = online;
    announce(agent);
  }

  void statusChanged(Caller agent, boolean online) {
    this.online = online;
    announce(agent);
  }

  private void announce(Caller agent) {
    for (String site : agent.siteIds()) {
      dispatcher(site).tell(new Dispatcher.AgentPresent(agent.id(), online, notices));
    }
  }

  /** Passes on an offer. Declining something not offered (any more) changes nothing and is acknowledged too. */
  void decline(Caller agent, ClientFrame.Decline decline) {
    String site = openOffers.remove(decline.conversationId());
    if (site != null) {
      dispatcher(site).tell(new Dispatcher.Decline(agent.id(), decline.conversationId()));
    }
    send.accept(new ServerFrame.Ack(decline.id(), decline.conversationId(), null, null));
  }

  void onNotice(FromNotice message) {
    if (message.notice() instanceof Dispatcher.Offer offer) {
      openOffers.put(offer.conversationId(), offer.siteId());
      if (openOffers.size() > MAX_OPEN_OFFERS) {
        openOffers.remove(openOffers.keySet().iterator().next());
      }
      send.accept(
          new ServerFrame.Offer(
              offer.conversationId(), offer.siteId(), offer.visitorId(), offer.group(), offer.expiresAt()));
    } else if (message.notice() instanceof Dispatcher.HandedOver handed) {
      followConversation.accept(handed.conversationId());
    } else if (message.notice() instanceof Dispatcher.OfferEnded ended) {
      openOffers.remove(ended.conversationId());
      send.accept(new ServerFrame.OfferEnded(ended.conversationId(), ended.siteId(), ended.reason()));
    }
  }

  // Visitors ---------------------------------------------------------------------------------------------------

  void visitorReady(String siteId, String currentConversationId) {
    dispatcher(siteId).tell(new Dispatcher.GetAvailability(availabilities));
    if (currentConversationId != null) {
      follow(siteId, currentConversationId);
    }
  }

  /** The visitor's open conversation is known (opened, or learned): follow its queue position. */
  void follow(String siteId, String conversationId) {
    if (conversationId.equals(followed)) {
      // Already followed; renew() repeats it periodically. Telling the site's one dispatcher again on every
      // visitor message made it the bottleneck of busy sites (it computes the position each time).
      return;
    }
    followed = conversationId;
    lastPosition = -1;
    dispatcher(siteId).tell(new Dispatcher.FollowPosition(conversationId, positions));
  }

  void onPosition(FromPosition message) {
    Dispatcher.PositionUpdate update = message.update();
    if (!update.conversationId().equals(followed) || update.position() == lastPosition) {
      return;
    }
    lastPosition = update.position();
    send.accept(new ServerFrame.Position(update.conversationId(), update.position()));
    // Served or closed (0): the conversation stays followed, so that renew() notices within one renewal if a
    // transfer to a group puts it back in the queue; new messages do not ask the dispatcher again.
  }

  void onAvailability(FromAvailability message) {
    Dispatcher.Availability a = message.availability();
    if (!a.equals(lastAvailability)) {
      lastAvailability = a;
      send.accept(new ServerFrame.Availability(a.siteId(), a.status(), a.welcomeMessage()));
    }
  }

  // Both -------------------------------------------------------------------------------------------------------

  void renew(Caller caller, String visitorSiteId) {
    if (caller.isAgent()) {
      announce(caller);
    } else {
      dispatcher(visitorSiteId).tell(new Dispatcher.GetAvailability(availabilities));
      if (followed != null) {
        dispatcher(visitorSiteId).tell(new Dispatcher.FollowPosition(followed, positions));
      }
    }
  }

  void stopped(Caller caller) {
    if (caller.isAgent()) {
      for (String site : caller.siteIds()) {
        dispatcher(site).tell(new Dispatcher.AgentAbsent(notices));
      }
    }
  }

  private EntityRef<Dispatcher.Command> dispatcher(String site) {
    return sharding.entityRefFor(Dispatcher.ENTITY_KEY, site);
  }
}
