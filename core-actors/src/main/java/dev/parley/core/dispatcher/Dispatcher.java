package dev.parley.core.dispatcher;

import dev.parley.core.common.Rejection;
import dev.parley.core.conversation.Conversation;
import dev.parley.core.routing.RoutingConfig;
import dev.parley.core.routing.RoutingHints;
import dev.parley.core.routing.SiteRouting;
import dev.parley.core.serialization.CborSerializable;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.cluster.sharding.typed.ClusterShardingSettings;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.pattern.StatusReply;

/**
 * The routing brain of one site, sharded by site id and event-sourced: the waiting queue, who holds which
 * conversation, and every assignment decision.
 *
 * <p>Every way a conversation reaches an agent goes through here: an offer the agent accepts and a manual pick
 * from the queue are both a {@link Claim}, decided by this one actor, so a conversation is never assigned twice
 * and an agent never goes past capacity. The decision is persisted ({@link AssignedTo}) before it is answered;
 * the conversation is then told that the agent joined (through {@link DispatcherPeers}), retried until it
 * confirms or refuses.
 *
 * <p>The queue is first-come first-served across the site; a visitor's position is their rank in it, so it can
 * only go down while they wait. Offers, presence of agents, followers and the loaded configuration are in
 * memory only: after a restart agents re-announce themselves (their sessions renew) and offers start again.
 * Time is read from the injected {@link Clock} and acted on at each {@link Tick}, so tests drive time exactly.
 *
 * <p>This file is the protocol (commands, replies, notices, events, snapshot records; the nested names are the
 * serialized names of released events and snapshots and never change). The actor is {@link DispatcherBehavior};
 * its persisted state {@link DispatcherState}; its memory-only parts {@link AgentPresence}, {@link OfferBook} and
 * {@link QueuePublisher}; the decision who is offered what {@link OfferPolicy}.
 */
public final class Dispatcher {

  private Dispatcher() {}


  public static final EntityTypeKey<Command> ENTITY_KEY =
      EntityTypeKey.create(Command.class, "Dispatcher");

  /** Conversations waiting at once per site; past this, new ones are not queued (logged) until room frees. */
  public static final int MAX_WAITING = 5_000;
  /** Queue watchers (agent sessions) at once; past this, a watcher is refused (logged). */
  public static final int MAX_WATCHERS = 2_000;
  /** Agent sessions present at once; past this, an agent session is not offered chats (logged). */
  public static final int MAX_AGENT_SESSIONS = 2_000;
  /** Visitor sessions following their queue position at once; past this, a follower is refused (logged). */
  public static final int MAX_POSITION_FOLLOWERS = 10_000;
  /** Visitors whose last agent is remembered for returning-visitor routing; the oldest is forgotten. */
  public static final int MAX_REMEMBERED_VISITORS = 10_000;
  /** Recorded transfers remembered to answer a resent request with the same seq. */
  public static final int MAX_REMEMBERED_TRANSFERS = 1_000;
  /** Missed conversations (closed before any agent joined) kept as reminders; the oldest is dropped. */
  public static final int MAX_MISSED = 200;
  /** Missed conversations older than this are no longer shown as reminders. */
  public static final Duration MISSED_REMINDER_WINDOW = Duration.ofDays(7);
  /** How often timeouts (offers, overflow, working hours) are evaluated and failed joins retried. */
  public static final Duration TICK_INTERVAL = Duration.ofSeconds(1);
  /** How often assigned conversations are asked to apply the site's auto-close (when it has one). */
  public static final Duration AUTO_CLOSE_CHECK_INTERVAL = Duration.ofSeconds(30);
  /** How often the configuration is reloaded without being told (edits on other nodes, hours files). */
  public static final Duration CONFIG_REFRESH_INTERVAL = Duration.ofSeconds(30);

  // Commands -------------------------------------------------------------------------------------------------

  public sealed interface Command extends CborSerializable {}

  /**
   * A conversation waits for an agent. Idempotent (the routing feed delivers at least once); {@code replyTo} (null:
   * nobody) hears once it is durable.
   */
  public record Enqueue(
      String conversationId, String visitorId, Instant since, RoutingHints hints, ActorRef<Done> replyTo)
      implements Command {
    public Enqueue(String conversationId, String visitorId, Instant since, RoutingHints hints) {
      this(conversationId, visitorId, since, hints, null);
    }

    public Enqueue(String conversationId, String visitorId, Instant since) {
      this(conversationId, visitorId, since, RoutingHints.NONE);
    }
  }

  /**
   * A conversation closed: it leaves the queue (as missed), or frees its agent's capacity. Idempotent. {@code
   * replyTo} (null: nobody) hears once it is durable: the routing feed's acknowledgement.
   */
  public record Remove(String conversationId, ActorRef<Done> replyTo, Unanswered unanswered) implements Command {
    public Remove(String conversationId) {
      this(conversationId, null, null);
    }
  }

  /**
   * A conversation closed before any agent held it, as the conversation knows it: recorded as missed even when
   * this dispatcher never queued it (it closed before the routing feed queued it).
   */
  public record Unanswered(String visitorId, Instant since, RoutingHints hints) implements CborSerializable {}

  /**
   * A conversation says who joined it (the truth, even if someone bypassed the dispatcher). Idempotent. {@code
   * replyTo} as for {@link Remove}.
   */
  public record NoteAssigned(String conversationId, String visitorId, String agentId, ActorRef<Done> replyTo)
      implements Command {
    public NoteAssigned(String conversationId, String visitorId, String agentId) {
      this(conversationId, visitorId, agentId, null);
    }
  }

  /**
   * Receive the whole queue now ({@link QueueView}) and what changes after ({@link QueueChanged}). Watching again
   * renews quietly: a watcher that is already known gets nothing more; one that was forgotten (the dispatcher
   * restarted or moved) gets the whole queue again, since it missed changes.
   */
  public record Watch(ActorRef<QueueNotice> watcher) implements Command {}

  public record Unwatch(ActorRef<QueueNotice> watcher) implements Command {}

  public record GetQueue(ActorRef<QueueView> replyTo) implements Command {}

  /**
   * How many conversations of one client key ({@link RoutingHints#clientKey()}) wait now: the edge asks before it
   * lets an address open another one. The limit is the edge's (admission control); the count is the queue's.
   */
  public record CountWaiting(String clientKey, ActorRef<Integer> replyTo) implements Command {}

  /** An agent's connection is here and may be offered chats while {@code online}. Repeat to renew. */
  public record AgentPresent(String agentId, boolean online, ActorRef<AgentNotice> session)
      implements Command {}

  public record AgentAbsent(ActorRef<AgentNotice> session) implements Command {}

  /**
   * An agent takes a conversation, accepting an offer or picking from the queue: the one request of a claim. The
   * dispatcher decides (persisting {@link JoinDecided}), has the conversation record the join, persists {@link
   * JoinConfirmed} and only then replies {@link Joined} with the seq of the conversation's {@code joined} entry.
   * A conversation this dispatcher has not seen is first asked for its facts (a queue entry lost with a crash is
   * repaired so). A repeat by the agent who holds it answers the same seq. Rejections: {@link
   * Rejection#ALREADY_CLAIMED}, {@link Rejection#AT_CAPACITY}, {@link Rejection#NOT_ALLOWED}, {@link
   * Rejection#CONVERSATION_CLOSED}, {@link Rejection#UNKNOWN_CONVERSATION} (not a conversation of this site).
   * {@code visitorId} is unused (kept for older senders).
   */
  public record Claim(
      String agentId,
      String conversationId,
      String visitorId,
      ActorRef<StatusReply<Joined>> replyTo,
      /** The agent may claim outside its skill groups (supervisors and up); added after release. */
      boolean anyGroup)
      implements Command {
    public Claim(String agentId, String conversationId, String visitorId, ActorRef<StatusReply<Joined>> replyTo) {
      this(agentId, conversationId, visitorId, replyTo, false);
    }
  }

  /**
   * The agent holding a conversation hands it to another agent (capacity-checked) or back to the queue of a
   * group (at the end of the queue, like a new arrival): the one request of a transfer. The dispatcher decides
   * (persisting {@link TransferDecided}: capacity and queue change at once), has the conversation record it
   * (idempotent on the transfer's id), persists {@link TransferConfirmed} and only then replies {@link Handed}
   * with the seq of the conversation's {@code transferred} entry. A decision not confirmed is re-driven at every
   * tick and after a restart. {@code transferId} names the decision for the conversation (the edge derives it
   * from the agent and the frame's id, so a resent frame is the same transfer); null: the dispatcher makes one.
   * Rejections: {@link Rejection#NOT_ASSIGNED}, {@link Rejection#AT_CAPACITY}, {@link Rejection#UNKNOWN_GROUP},
   * {@link Rejection#UNKNOWN_AGENT}, and what the conversation refused with.
   */
  public record Transfer(
      String fromAgentId,
      String conversationId,
      String toAgentId,
      String toGroup,
      String note,
      ActorRef<StatusReply<Handed>> replyTo,
      /** The caller may transfer (or take over) a conversation another agent holds; added after release. */
      boolean anyConversation,
      String transferId)
      implements Command {
    public Transfer(
        String fromAgentId, String conversationId, String toAgentId, String toGroup, String note,
        ActorRef<StatusReply<Handed>> replyTo) {
      this(fromAgentId, conversationId, toAgentId, toGroup, note, replyTo, false, null);
    }

    public Transfer(
        String fromAgentId, String conversationId, String toAgentId, String toGroup, String note,
        ActorRef<StatusReply<Handed>> replyTo, boolean anyConversation) {
      this(fromAgentId, conversationId, toAgentId, toGroup, note, replyTo, anyConversation, null);
    }
  }

  /** An agent passes on an offer; it goes to the next agent. Ignored when the offer is not theirs. */
  public record Decline(String agentId, String conversationId) implements Command {}

  /** A visitor session follows a conversation's queue position; it gets the position now and on every change. */
  public record FollowPosition(String conversationId, ActorRef<PositionUpdate> follower)
      implements Command {}

  public record GetAvailability(ActorRef<Availability> replyTo) implements Command {}

  /** Reload the configuration now (sent by the admin API after an edit). */
  public record RefreshConfig() implements Command {}

  /** Evaluate time now: expire offers, overflow, opening hours, retry joins. Sent by a timer every second. */
  public record Tick() implements Command {}

  record ConfigLoaded(SiteRouting config, Throwable failure) implements Command {}

  /** The conversation answered a join ({@code seq} of its {@code joined} entry) or failed to. */
  record JoinSettled(String conversationId, String agentId, long seq, Throwable failure) implements Command {}

  /** The conversation's facts, asked for a claim of a conversation this dispatcher did not know. */
  record FactsArrived(Claim claim, Conversation.Facts facts, Throwable failure) implements Command {}

  /** The conversation answered a transfer ({@code seq} of its {@code transferred} entry) or failed to. */
  record TransferSettled(String transferId, String conversationId, long seq, Throwable failure) implements Command {}

  /**
   * A watched ref stopped. One message for every role (queue watcher, agent session, position follower): the
   * message adapters of one actor share a single ref, and a ref can be death-watched with only one message.
   */
  record RefGone(ActorRef<?> ref) implements Command {}

  // Replies and notices ----------------------------------------------------------------------------------------

  /**
   * A waiting conversation; {@code group} is null when any agent of the site may take it. {@code clientKey} (added
   * after release; null in older snapshots) is the opaque key of the visitor's address ({@link RoutingHints}); it
   * is for counting and never leaves the server.
   */
  public record Waiting(String conversationId, String visitorId, Instant since, String group, String clientKey)
      implements CborSerializable {
    public Waiting(String conversationId, String visitorId, Instant since, String group) {
      this(conversationId, visitorId, since, group, null);
    }
  }

  /** A claim succeeded: the conversation recorded the join as entry {@code seq}. */
  public record Joined(String conversationId, long seq) implements CborSerializable {}

  /**
   * A transfer succeeded: the conversation recorded it as entry {@code seq} (0: the target already held it, as
   * when a supervisor takes over a conversation they hold).
   */
  public record Handed(String conversationId, long seq) implements CborSerializable {}

  /** What queue watchers receive: the whole queue once, then changes. */
  public sealed interface QueueNotice extends CborSerializable {
    String siteId();
  }

  /**
   * The queue in order (a conversation's position is its index plus one), and the recent missed conversations,
   * newest first, as reminders for agents ({@code since} is when the visitor first wrote).
   */
  public record QueueView(String siteId, List<Waiting> waiting, List<Waiting> missed) implements QueueNotice {}

  /**
   * What changed since the last notice: conversations that left the queue ({@code removed}), then new ones
   * appended at its end in order ({@code added}; a conversation is only ever added at the end). {@code missed} is
   * the whole reminder list when it changed, else null. {@code total} is the queue's length afterwards. The size
   * of a notice follows the change, not the queue: the queue used to be sent whole to every agent on every
   * change, which grew with the square of the queue on a busy night.
   */
  public record QueueChanged(
      String siteId, List<String> removed, List<Waiting> added, int total, List<Waiting> missed)
      implements QueueNotice {}

  /** What an agent's sessions are told. */
  public sealed interface AgentNotice extends CborSerializable {}

  public record Offer(
      String siteId, String conversationId, String visitorId, String group, Instant expiresAt)
      implements AgentNotice {}

  /** Another agent transferred a conversation to this agent: its sessions should start following it. */
  public record HandedOver(String siteId, String conversationId, String fromAgentId) implements AgentNotice {}

  /** An offer is over: {@code taken} (by anyone), {@code expired}, {@code declined} or {@code withdrawn}. */
  public record OfferEnded(String siteId, String conversationId, String reason) implements AgentNotice {}

  /** {@code position} 1 is next; 0 means no longer waiting (an agent joined, or it closed). */
  public record PositionUpdate(String siteId, String conversationId, int position)
      implements CborSerializable {}

  /**
   * {@code open}, {@code no-agents} (in hours, nobody online) or {@code closed} (outside working hours), and the
   * site's automatic welcome message (null for none).
   */
  public record Availability(String siteId, String status, String welcomeMessage) implements CborSerializable {
    public static final String OPEN = "open";
    public static final String NO_AGENTS = "no-agents";
    public static final String CLOSED = "closed";
  }

  // Events -----------------------------------------------------------------------------------------------------

  public sealed interface Event extends CborSerializable {}

  /** {@code group} was added after release (null: any agent), {@code clientKey} later (null: unknown). */
  public record Queued(String conversationId, String visitorId, Instant since, String group, String clientKey)
      implements Event {
    public Queued(String conversationId, String visitorId, Instant since, String group) {
      this(conversationId, visitorId, since, group, null);
    }
  }

  /** Left the queue without an agent (closed while waiting). */
  public record Dequeued(String conversationId) implements Event {}

  /** The visitor left (the conversation closed) before any agent joined: shown to agents as a reminder. */
  public record Missed(String conversationId, String visitorId, Instant since, String group, Instant at)
      implements Event {}

  public record AssignedTo(String conversationId, String visitorId, String agentId, Instant at)
      implements Event {}

  /** An assigned conversation closed, or its join was refused: the agent's capacity is free again. */
  public record Released(String conversationId, Instant at) implements Event {}

  /**
   * A claim was granted: the conversation is the agent's (capacity counted) and its join is to be recorded by the
   * conversation; until {@link JoinConfirmed} it is re-driven at every tick and after a restart.
   */
  public record JoinDecided(String conversationId, String visitorId, String agentId, Instant at) implements Event {}

  /** The conversation recorded the join of a {@link JoinDecided} as entry {@code seq}. */
  public record JoinConfirmed(String conversationId, String agentId, long seq) implements Event {}

  /**
   * A transfer was granted: from now the conversation is {@code toAgentId}'s (capacity counted, {@code
   * fromAgentId}'s freed) or waits at the end of the queue of {@code toGroup}; the conversation is to record it.
   * Until {@link TransferConfirmed} (or {@link TransferAbandoned}) it is re-driven at every tick and after a
   * restart, and no join of that conversation is driven meanwhile.
   */
  public record TransferDecided(
      String transferId,
      String conversationId,
      String visitorId,
      String fromAgentId,
      String toAgentId,
      String toGroup,
      String note,
      Instant at)
      implements Event {}

  /** The conversation recorded the transfer as entry {@code seq}. */
  public record TransferConfirmed(String transferId, String conversationId, long seq) implements Event {}

  /**
   * The conversation refused a decided transfer (its holder was not the one the dispatcher knew): the decision is
   * taken back, the conversation is {@code fromAgentId}'s again unless something else happened to it meanwhile.
   */
  public record TransferAbandoned(String transferId, String conversationId, String reason) implements Event {}

  // State ------------------------------------------------------------------------------------------------------

  public record Assignment(String conversationId, String visitorId, String agentId)
      implements CborSerializable {}

  public record VisitorAgent(String visitorId, String agentId) implements CborSerializable {}

  public record MissedEntry(Waiting conversation, Instant at) implements CborSerializable {}

  /**
   * Older snapshots have only {@code waiting}; the other lists are then null ({@code pendingJoins} and {@code
   * pendingTransfers} too).
   */
  public record QueueSnapshot(
      List<Waiting> waiting,
      List<Assignment> assigned,
      List<VisitorAgent> lastAgents,
      List<MissedEntry> missed,
      List<Assignment> pendingJoins,
      List<TransferDecided> pendingTransfers,
      List<TransferDone> recentTransfers)
      implements CborSerializable {
    public QueueSnapshot(
        List<Waiting> waiting, List<Assignment> assigned, List<VisitorAgent> lastAgents, List<MissedEntry> missed) {
      this(waiting, assigned, lastAgents, missed, null, null, null);
    }
  }

  /** A transfer the conversation recorded as entry {@code seq}, remembered to answer a resent request. */
  public record TransferDone(String transferId, String conversationId, long seq) implements CborSerializable {}

  // Behavior ---------------------------------------------------------------------------------------------------

  /**
   * Registers the entity type. A dispatcher never passivates: it is a remembered entity (its starts are
   * journaled, so a restarted node starts it again), because its tick drives what nobody else asks for when no
   * agent is connected — offers expiring, auto-close of idle chats, joins decided before a crash.
   */
  public static void init(ActorSystem<?> system, RoutingConfig config, DispatcherPeers peers) {
    ClusterSharding.get(system)
        .init(
            Entity.of(
                    ENTITY_KEY,
                    ctx -> create(ctx.getEntityId(), config, peers, Clock.systemUTC(), TICK_INTERVAL))
                .withSettings(
                    ClusterShardingSettings.create(system)
                        .withRememberEntities(true)
                        .withRememberEntitiesStoreMode(ClusterShardingSettings.rememberEntitiesStoreModeEventSourced())));
  }

  /** A dispatcher of an unconfigured site whose joins go nowhere: for tests of the queue alone. */
  public static Behavior<Command> create(String siteId) {
    return create(siteId, RoutingConfig.UNCONFIGURED, DispatcherPeers.NONE, Clock.systemUTC(), TICK_INTERVAL);
  }

  /** {@code tickInterval}: how often a timer sends {@link Tick}; tests pass a long one and send ticks. */
  public static Behavior<Command> create(
      String siteId, RoutingConfig config, DispatcherPeers peers, Clock clock, Duration tickInterval) {
    return DispatcherBehavior.create(siteId, config, peers, clock, tickInterval);
  }

  /** Ids the waiting list holds, for tests and tools. */
  public static List<String> ids(QueueView view) {
    List<String> ids = new ArrayList<>(view.waiting().size());
    view.waiting().forEach(w -> ids.add(w.conversationId()));
    return ids;
  }
}
