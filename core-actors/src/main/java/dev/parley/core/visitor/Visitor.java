package dev.parley.core.visitor;

import dev.parley.core.common.Caller;
import dev.parley.core.common.Rejection;
import dev.parley.core.conversation.Conversation;
import dev.parley.core.routing.RoutingHints;
import dev.parley.core.serialization.CborSerializable;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.pattern.StatusReply;

/**
 * A visitor of one site, sharded by {@code siteId:visitorId} and event-sourced.
 *
 * <p>It is the one place that opens a visitor's conversation, so two tabs or two retries can never open two: it
 * hands out the id of the visitor's open conversation, choosing a fresh one when there is none. It also keeps what
 * agents see of the visitor: the identity the host site passed, the device, where they came from (referrer and
 * campaign) and a bounded trail of the pages they opened. Which connections are open (presence) and who watches the
 * profile stay in memory and are never written to the journal.
 *
 * <p>This file is the protocol (commands, replies, events, the state: their nested names are the serialized
 * names, so they stay here); the actor is {@link VisitorBehavior}.
 */
public final class Visitor {

  public static final EntityTypeKey<Command> ENTITY_KEY =
      EntityTypeKey.create(Command.class, "Visitor");

  /** Earlier conversations remembered, newest last; the oldest is forgotten beyond this. */
  public static final int MAX_PAST_CONVERSATIONS = 50;
  /** Open connections tracked for presence; more are still served but not counted. */
  public static final int MAX_TRACKED_SESSIONS = 32;
  /** Pages remembered in the trail, newest last. */
  public static final int MAX_PAGES = 50;
  /**
   * Conversations one visitor may open in a day; beyond, {@link Rejection#QUOTA_EXCEEDED}. A shopper rarely needs
   * more than a few; the per-address limits of the edge bound what a visitor that drops its token can do.
   */
  public static final int MAX_CONVERSATIONS_PER_DAY = 20;
  /** Agent sessions watching the profile at once; more are refused (they see it on their next renewal). */
  public static final int MAX_WATCHERS = 64;

  public static String entityId(String siteId, String visitorId) {
    return siteId + ":" + visitorId;
  }

  // Commands -------------------------------------------------------------------------------------------------

  public sealed interface Command extends CborSerializable {}

  /**
   * The id of the visitor's open conversation, reserving a new one if there is none or if the current one is
   * {@code staleConversationId} (the caller learned it was closed).
   */
  public record EnsureConversation(
      String staleConversationId, ActorRef<StatusReply<String>> replyTo) implements Command {}

  /**
   * A visitor's message to "their conversation" when the edge holds none, or found the one it held closed ({@code
   * staleConversationId}). The visitor decides where it goes: to its open conversation (another tab may have
   * opened one), else to a new one — a closed conversation is never reopened — and posts it there, replying with
   * the conversation's id and the post's answer. A post to a conversation that turns out closed (this visitor
   * had not heard yet) opens a new one once. Rejections: what the conversation answers, and {@link
   * Rejection#QUOTA_EXCEEDED} (conversations per day).
   */
  public record Send(
      Caller caller,
      String clientMessageId,
      String text,
      RoutingHints hints,
      String staleConversationId,
      ActorRef<StatusReply<Sent>> replyTo)
      implements Command {}

  /** Where a {@link Send} went and how the conversation answered it. */
  public record Sent(String conversationId, Conversation.Posted posted) implements CborSerializable {}

  /** The conversation answered a post this visitor made for a {@link Send}; {@code fresh}: it opened it. */
  record PostAnswered(
      Send send, String conversationId, boolean fresh, StatusReply<Conversation.Posted> reply, Throwable failure)
      implements Command {}

  /** How a visitor posts to its conversations: through cluster sharding, or what a test gives. */
  public interface Conversations {
    CompletionStage<StatusReply<Conversation.Posted>> post(
        String conversationId, Function<ActorRef<StatusReply<Conversation.Posted>>, Conversation.PostMessage> post);

    /** For visitors that never {@link Send}: every post fails. */
    Conversations NONE =
        (id, post) -> CompletableFuture.failedFuture(new IllegalStateException("this visitor posts nowhere"));
  }

  /** How long a visitor waits for its conversation to answer a post. */
  public static final Duration POST_TIMEOUT = Duration.ofSeconds(5);

  public record GetProfile(ActorRef<Profile> replyTo) implements Command {}

  /** A conversation of this visitor was closed. Idempotent; {@code replyTo} (null: nobody) hears once durable. */
  public record NoteConversationClosed(String conversationId, ActorRef<Done> replyTo) implements Command {
    public NoteConversationClosed(String conversationId) {
      this(conversationId, null);
    }
  }

  /** A connection of this visitor opened; it is forgotten when the session stops. */
  public record Connected(ActorRef<?> session) implements Command {}

  public record Disconnected(ActorRef<?> session) implements Command {}

  record SessionGone(ActorRef<?> session) implements Command {}

  /** The host site identified the visitor (checked by the edge where the site demands a signature). */
  public record Identify(Identity identity, ActorRef<StatusReply<Done>> replyTo) implements Command {}

  /**
   * Erase what is known about the visitor (privacy): persists {@link Erased} and replies, once durable, with the
   * journal sequence number up to which the journal's earlier events are to be rewritten ({@link #scrubbed}). Not
   * a client command: the erasure job sends it.
   */
  public record Erase(ActorRef<StatusReply<Long>> replyTo) implements Command {}

  /** The visitor opened a page. */
  public record ViewPage(PageView page) implements Command {}

  /**
   * Records a proactive invitation's life (docs/DECISIONS.md, "Proactive invitations"): sent to the visitor, then
   * once answered. Only recorded; the live invitation is the edge's. {@code event} is {@link InvitationSent} or
   * {@link InvitationAnswered}.
   */
  public record RecordInvitation(Event event) implements Command {}

  /** A connection of the visitor came from this device; stored only when it differs from the last one. */
  public record SeenOn(Device device) implements Command {}

  /** Sends the profile now and after every change, until unwatched or stopped; repeating it is harmless. */
  public record Watch(ActorRef<Profile> watcher) implements Command {}

  public record Unwatch(ActorRef<Profile> watcher) implements Command {}

  record WatcherGone(ActorRef<?> watcher) implements Command {}

  // Replies ----------------------------------------------------------------------------------------------------

  public record Profile(
      String siteId,
      String visitorId,
      String currentConversationId,
      List<String> pastConversationIds,
      boolean online,
      Identity identity,
      Device device,
      String referrer,
      Map<String, String> utm,
      List<PageView> pages,
      /** Visits so far, this one included once it was counted. */
      int visits,
      /** When the visitor was last active (a visit's start or a page), or null: decides whether a visit is new. */
      Instant lastActiveAt)
      implements CborSerializable {}

  // Events -----------------------------------------------------------------------------------------------------

  public sealed interface Event extends CborSerializable {}

  public record ConversationStarted(String conversationId, Instant at) implements Event {}

  public record ConversationEnded(String conversationId, Instant at) implements Event {}

  public record Identified(Identity identity, Instant at) implements Event {}

  public record PageViewed(PageView page) implements Event {}

  /**
   * The visitor was invited to chat, with {@code text}: by an agent ({@code agentId}), or {@code automatic}ally by
   * the site's rule {@code ruleId} (then {@code agentId} is null). Events written before automatic invitations
   * read as {@code automatic = false}.
   */
  public record InvitationSent(
      String invitationId, String agentId, String text, Instant at, boolean automatic, String ruleId)
      implements Event {}

  /**
   * The visitor answered an invitation: {@code accepted} (then {@code conversationId} is the chat it opened),
   * {@code closed}, or {@code ignored} (no answer in time, or the visitor left).
   */
  public record InvitationAnswered(
      String invitationId, String agentId, String outcome, String conversationId, Instant at) implements Event {}

  public record DeviceSeen(Device device, Instant at) implements Event {}

  /** A new visit began: the visitor came online after {@link Visits#GAP} without activity (or for the first time). */
  public record VisitStarted(Instant at) implements Event {}

  /**
   * Everything known about the visitor was erased (privacy): identity, device, referrer, campaign and page trail.
   * The journal's earlier events are rewritten too (docs/DECISIONS.md). The conversation ids stay, so that their
   * words can be erased as well.
   */
  public record Erased(Instant at) implements Event {}

  /**
   * An event as the journal keeps it once the visitor is erased: no identity, device, addresses or titles; the
   * conversation ids and times stay.
   */
  public static Event scrubbed(Event event) {
    if (event instanceof Identified i) {
      return new Identified(null, i.at());
    } else if (event instanceof PageViewed v) {
      return new PageViewed(new PageView("", null, null, v.page().at()));
    } else if (event instanceof DeviceSeen d) {
      return new DeviceSeen(null, d.at());
    }
    return event;
  }

  // State ------------------------------------------------------------------------------------------------------

  /**
   * {@code referrer}: the last page of another site that sent the visitor here; {@code utm}: the campaign of the
   * last page address that carried one.
   */
  public record State(
      String currentConversationId,
      List<String> pastConversationIds,
      Identity identity,
      Device device,
      String referrer,
      Map<String, String> utm,
      List<PageView> pages,
      /** When the newest conversations started, at most {@link #MAX_CONVERSATIONS_PER_DAY}; null in old snapshots. */
      List<Instant> recentStarts,
      /** Visits counted so far ({@link Visits}); 0 in snapshots older than visit counting. */
      int visits,
      /** When the last visit started; null before the first (and in older snapshots). */
      Instant lastVisitAt)
      implements CborSerializable {

    public State {
      pastConversationIds = List.copyOf(pastConversationIds);
      utm = utm == null ? Map.of() : Map.copyOf(utm);
      pages = pages == null ? List.of() : List.copyOf(pages);
      recentStarts = recentStarts == null ? List.of() : List.copyOf(recentStarts);
    }

    public State(
        String currentConversationId,
        List<String> pastConversationIds,
        Identity identity,
        Device device,
        String referrer,
        Map<String, String> utm,
        List<PageView> pages) {
      this(currentConversationId, pastConversationIds, identity, device, referrer, utm, pages, List.of(), 0, null);
    }

    /** When the visitor was last seen doing something: the later of the last visit's start and the last page. */
    Instant lastActiveAt() {
      Instant page = pages.isEmpty() ? null : pages.get(pages.size() - 1).at();
      if (page == null) {
        return lastVisitAt;
      }
      return lastVisitAt == null || page.isAfter(lastVisitAt) ? page : lastVisitAt;
    }

    static State empty() {
      return new State(null, List.of(), null, null, null, Map.of(), List.of(), List.of(), 0, null);
    }

    /** Conversations started in the day before {@code now}. */
    int startedSince(Instant now) {
      Instant dayAgo = now.minus(Duration.ofDays(1));
      return (int) recentStarts.stream().filter(at -> at.isAfter(dayAgo)).count();
    }

    State apply(Event event) {
      if (event instanceof ConversationStarted s) {
        List<Instant> starts = new ArrayList<>(recentStarts);
        starts.add(s.at());
        while (starts.size() > MAX_CONVERSATIONS_PER_DAY) {
          starts.remove(0);
        }
        return new State(
            s.conversationId(), archive(currentConversationId), identity, device, referrer, utm, pages, starts, visits,
            lastVisitAt);
      } else if (event instanceof VisitStarted v) {
        return new State(
            currentConversationId, pastConversationIds, identity, device, referrer, utm, pages, recentStarts,
            visits + 1, v.at());
      } else if (event instanceof ConversationEnded e) {
        if (e.conversationId().equals(currentConversationId)) {
          return withConversations(null, archive(currentConversationId));
        }
        return this;
      } else if (event instanceof Identified i) {
        return new State(
            currentConversationId, pastConversationIds, i.identity(), device, referrer, utm, pages, recentStarts, visits, lastVisitAt);
      } else if (event instanceof DeviceSeen d) {
        return new State(
            currentConversationId, pastConversationIds, identity, d.device(), referrer, utm, pages, recentStarts, visits, lastVisitAt);
      } else if (event instanceof Erased e) {
        return new State(
            currentConversationId, pastConversationIds, null, null, null, Map.of(), List.of(), recentStarts, visits, lastVisitAt);
      } else if (event instanceof PageViewed v) {
        List<PageView> trail = new ArrayList<>(pages);
        trail.add(v.page());
        while (trail.size() > MAX_PAGES) {
          trail.remove(0);
        }
        PageView page = v.page();
        String from = Campaign.isExternal(page.referrer(), page.url()) ? page.referrer() : referrer;
        Map<String, String> campaign = Campaign.utm(page.url());
        return new State(
            currentConversationId,
            pastConversationIds,
            identity,
            device,
            from,
            campaign.isEmpty() ? utm : campaign,
            trail,
            recentStarts,
            visits,
            lastVisitAt);
      }
      return this;
    }

    private State withConversations(String current, List<String> past) {
      return new State(current, past, identity, device, referrer, utm, pages, recentStarts, visits, lastVisitAt);
    }

    private List<String> archive(String conversationId) {
      if (conversationId == null || pastConversationIds.contains(conversationId)) {
        return pastConversationIds;
      }
      List<String> past = new ArrayList<>(pastConversationIds);
      past.add(conversationId);
      while (past.size() > MAX_PAST_CONVERSATIONS) {
        past.remove(0);
      }
      return past;
    }
  }

  // Behavior ---------------------------------------------------------------------------------------------------

  private Visitor() {}

  public static void init(ActorSystem<?> system) {
    ClusterSharding sharding = ClusterSharding.get(system);
    Conversations conversations =
        (id, post) -> sharding.entityRefFor(Conversation.ENTITY_KEY, id).ask(post::apply, POST_TIMEOUT);
    sharding.init(Entity.of(ENTITY_KEY, ctx -> create(ctx.getEntityId(), Clock.systemUTC(), conversations)));
  }

  public static Behavior<Command> create(String entityId, Clock clock) {
    return create(entityId, clock, Conversations.NONE);
  }

  public static Behavior<Command> create(String entityId, Clock clock, Conversations conversations) {
    return Behaviors.setup(ctx -> new VisitorBehavior(entityId, ctx, clock, conversations));
  }
}
