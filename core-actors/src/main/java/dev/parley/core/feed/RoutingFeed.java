package dev.parley.core.feed;

import dev.parley.core.conversation.Conversation;
import dev.parley.core.dispatcher.Dispatcher;
import dev.parley.core.routing.RoutingHints;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * What a conversation's events mean to the rest of the domain: a plain function from one event (and the
 * conversation's facts, for events that do not carry its site, visitor or holder) to the effects on other
 * entities. The routing feed projection ({@code persistence/projection/RoutingFeedProjection}) runs it over the
 * journal and delivers each effect with an acknowledgement ({@link FeedDelivery}), at least once: every effect is
 * idempotent at its receiver, and a crash at any moment only means an effect is delivered again.
 *
 * <p>This replaced fire-and-forget notifications sent after persisting, which a crash between the two lost (a
 * closed conversation that never freed its agent's capacity, an opened one never queued), and the workarounds
 * that patched them (periodic re-announcements, a dispatcher's memory of recently closed conversations).
 */
public final class RoutingFeed {

  private RoutingFeed() {}

  /** An effect on another entity. */
  public sealed interface Effect {}

  /** The conversation waits: the site's dispatcher queues it (idempotent). */
  public record Enqueue(String siteId, String conversationId, String visitorId, Instant since, RoutingHints hints)
      implements Effect {}

  /**
   * The conversation closed: it leaves the queue (missed) or frees its agent's capacity (idempotent). {@code
   * unanswered} is set when nobody held it at its close: it is missed even if the dispatcher never queued it.
   */
  public record Remove(String siteId, String conversationId, Dispatcher.Unanswered unanswered) implements Effect {}

  /** Someone joined: the dispatcher counts it if it did not decide it itself (idempotent). */
  public record DispatcherNoteAssigned(String siteId, String conversationId, String visitorId, String agentId)
      implements Effect {}

  /** The agent's list of active conversations gains one. */
  public record AgentAssigned(String agentId, String conversationId) implements Effect {}

  /** The agent's list of active conversations loses one (closed, or transferred away). */
  public record AgentReleased(String agentId, String conversationId) implements Effect {}

  /** The visitor's current conversation ended: their next message opens a new one. */
  public record VisitorClosed(String siteId, String visitorId, String conversationId) implements Effect {}

  /**
   * Whether {@code event} may have effects at all (opened, joined, transferred, closed): those events carry the
   * {@link dev.parley.core.common.EventTags#ROUTING} tag as well, and the feed reads only that tag.
   */
  public static boolean concerns(Conversation.Event event) {
    return event instanceof Conversation.Opened
        || event instanceof Conversation.AgentJoined
        || event instanceof Conversation.Transferred
        || event instanceof Conversation.Closed;
  }

  /** Whether {@link #effectsOf} needs the conversation's facts for {@code event}. */
  public static boolean needsFacts(Conversation.Event event) {
    return event instanceof Conversation.Opened
        || event instanceof Conversation.AgentJoined
        || event instanceof Conversation.Closed;
  }

  /**
   * The effects of one event of conversation {@code conversationId}. {@code facts} are the conversation's facts
   * now (after the event; null when {@link #needsFacts} is false): a conversation closed since it opened is not
   * queued again, so a feed replayed after a crash cannot bring a closed conversation back to the queue.
   */
  public static List<Effect> effectsOf(String conversationId, Conversation.Event event, Conversation.Facts facts) {
    List<Effect> effects = new ArrayList<>(3);
    if (event instanceof Conversation.Opened o) {
      if (facts == null || facts.status() != Conversation.Status.CLOSED) {
        effects.add(new Enqueue(o.siteId(), conversationId, o.visitorId(), o.at(), RoutingHints.orNone(o.hints())));
      }
    } else if (event instanceof Conversation.AgentJoined j) {
      if (facts.status() == Conversation.Status.ASSIGNED && j.agentId().equals(facts.agentId())) {
        // Only the current holder: a join replayed after a later transfer must not undo it at the dispatcher.
        effects.add(new DispatcherNoteAssigned(facts.siteId(), conversationId, facts.visitorId(), j.agentId()));
      }
      effects.add(new AgentAssigned(j.agentId(), conversationId));
    } else if (event instanceof Conversation.Transferred t) {
      effects.add(new AgentReleased(t.fromAgentId(), conversationId));
    } else if (event instanceof Conversation.Closed) {
      Dispatcher.Unanswered unanswered =
          facts.agentId() == null
              ? new Dispatcher.Unanswered(facts.visitorId(), facts.openedAt(), RoutingHints.orNone(facts.hints()))
              : null;
      effects.add(new Remove(facts.siteId(), conversationId, unanswered));
      if (facts.agentId() != null) {
        effects.add(new AgentReleased(facts.agentId(), conversationId));
      }
      effects.add(new VisitorClosed(facts.siteId(), facts.visitorId(), conversationId));
    }
    return effects;
  }
}
