package dev.parley.edge.visitors;

import dev.parley.core.visitor.InvitationRule;
import dev.parley.core.visitor.InvitationRuleSource;
import dev.parley.core.visitor.InvitationRules;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.UnaryOperator;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;

/**
 * The visitors online on this node, per site, and the agents' sessions watching each site's list: one actor per
 * node (docs/DECISIONS.md, "Visitors now"). Visitor sessions tell it when they arrive, change (a page, a name, the
 * chat state) and leave; presence is memory only and never reaches the journal. Watchers get their list coalesced:
 * once a second, each watcher of a site that changed gets at most one update ({@link VisitorList}), so a site with
 * 10,000 visitors online costs a watching agent at most one frame a second, whatever the visitors do.
 *
 * <p>A visitor whose last connection closed lingers for {@link #LINGER} before leaving the list: every page of a
 * site opens a new connection, and the list should not blink on each click. Bounded by {@link #MAX_VISITORS} and
 * {@link #MAX_WATCHERS_PER_SITE}; beyond, new ones are not tracked (and said so once in the log).
 *
 * <p>Automatic invitations (docs/DECISIONS.md, "Automatic invitations"): every tick, the site's rules (read from
 * {@link InvitationRuleSource}, again every {@link #RULES_REFRESH} or when told {@link RulesChanged}) are applied
 * to each connected visitor by {@link InvitationRules#due}, a pure function; when one is due, the site invites as
 * an agent would, and the time is remembered per visitor for the rule's cap (memory of this node, at most
 * {@link #MAX_CAPPED_VISITORS}).
 *
 * <p>Messages here never leave the node (the actor is local, not sharded), so they are plain records, not
 * serializable ones.
 */
public final class VisitorsNow extends AbstractBehavior<VisitorsNow.Command> {

  /** How often watchers' lists are brought up to date: the most updates a watcher gets per second per site. */
  public static final Duration TICK = Duration.ofSeconds(1);
  /** Least time between two updates of a site's watchers, whatever the timer did (a little under {@link #TICK}). */
  static final Duration MIN_UPDATE_SPACING = TICK.minusMillis(100);
  /** How long a visitor with no open connection stays listed (the next page reconnects within it). */
  public static final Duration LINGER = Duration.ofSeconds(10);
  /** Visitors tracked on this node; beyond, arrivals are not listed (connections are capped well below). */
  public static final int MAX_VISITORS = 100_000;
  /** Sessions watching one site's list on this node. */
  public static final int MAX_WATCHERS_PER_SITE = 1_000;
  /** Open connections counted per visitor; more are served but not counted. */
  public static final int MAX_SESSIONS_PER_VISITOR = 32;

  // Messages ----------------------------------------------------------------------------------------------------

  public interface Command {}

  /**
   * A visitor connection arrived, with what it knows of the visitor (the registry keeps the visit's start), and
   * where invitations for it go.
   */
  public record Arrived(VisitorNow visitor, ActorRef<?> session, ActorRef<ToVisitor> inbox) implements Command {}

  /** An agent invites a listed visitor; {@code replyTo} gets whether it reached a connection of the visitor. */
  public record Invite(Invitation invitation, ActorRef<InvitationAnswered> agent, ActorRef<Boolean> replyTo)
      implements Command {}

  /** A visitor's connection answered a pending invitation: accepted (with the conversation) or closed. */
  public record Answer(
      String siteId, String visitorId, String invitationId, String outcome, String conversationId)
      implements Command {}

  /** What the registry tells a visitor's connection. */
  public sealed interface ToVisitor {}

  /** Show this invitation. */
  public record Invited(Invitation invitation) implements ToVisitor {}

  /** Stop showing this invitation: it was answered (maybe in another tab) or expired. */
  public record InvitationOver(String invitationId, String outcome) implements ToVisitor {}

  /** What the inviting agent's connection is told once: how the visitor answered. */
  public record InvitationAnswered(Invitation invitation, String outcome, String conversationId) {}

  /** How long an invitation waits for an answer before it counts as ignored. */
  public static final Duration INVITATION_TIMEOUT = Duration.ofMinutes(2);
  /** Invitations pending for one visitor at once; more are refused. */
  public static final int MAX_PENDING_INVITATIONS = 3;

  /** How often a site's automatic invitation rules are read again (an edit through the API tells at once). */
  public static final Duration RULES_REFRESH = Duration.ofSeconds(60);
  /** Visitors whose last automatic invitation is remembered for the caps; the least recently invited go first. */
  public static final int MAX_CAPPED_VISITORS = 100_000;

  /** The site's automatic invitation rules changed: read them again now. */
  public record RulesChanged(String siteId) implements Command {}

  private record RulesLoaded(String siteId, List<InvitationRule> rules, Throwable failure) implements Command {}

  /** Something about a listed visitor changed. */
  public record Changed(String siteId, String visitorId, UnaryOperator<VisitorNow> change) implements Command {}

  public record Left(String siteId, String visitorId, ActorRef<?> session) implements Command {}

  /** Starts (or restarts, with a new filter) a watch: the watcher's next update is a snapshot. */
  public record Watch(String siteId, ActorRef<ListUpdate> watcher, VisitorFilter filter, int limit)
      implements Command {}

  public record Unwatch(String siteId, ActorRef<ListUpdate> watcher) implements Command {}

  /** What a watcher receives: an update of its list of {@code siteId}, at the server's time {@code at}. */
  public record ListUpdate(String siteId, VisitorList.Update update, Instant at) {}

  /** How many visitors a site has online on this node (for tests, the benchmark and metrics). */
  public record Count(String siteId, ActorRef<Integer> replyTo) implements Command {}

  private enum Tick implements Command {
    INSTANCE
  }

  private record WatcherGone(ActorRef<ListUpdate> watcher) implements Command {}

  // State (owned by this actor) ---------------------------------------------------------------------------------

  /** {@code agent}: the inviting agent's connection, null for an automatic invitation. */
  private record Pending(Invitation invitation, ActorRef<InvitationAnswered> agent) {}

  private static final class Present {
    VisitorNow visitor;
    final Set<ActorRef<?>> sessions = new HashSet<>();
    /** Each session's inbox for invitations. */
    final Map<ActorRef<?>, ActorRef<ToVisitor>> inboxes = new HashMap<>();
    /** Invitations shown and not answered yet, oldest first. */
    final Map<String, Pending> invitations = new LinkedHashMap<>();
    /** When the last session left; null while one is open. */
    Instant goneSince;

    Present(VisitorNow visitor) {
      this.visitor = visitor;
    }
  }

  private static final class Site {
    final Map<String, Present> visitors = new HashMap<>();
    final Map<ActorRef<ListUpdate>, VisitorList> watchers = new LinkedHashMap<>();
    /** Whether a visitor changed since the last update went out. */
    boolean dirty;
    /** When the watchers were last brought up to date; null: never. */
    Instant sentAt;
    /** The automatic invitation rules, enabled ones only; empty until read. */
    List<InvitationRule> rules = List.of();
    /** When the rules were last asked for; null: never. */
    Instant rulesAskedAt;
  }

  /**
   * @param journal where invitations are recorded (the visitor entity's journal): called with the invitation and
   *     its outcome, null when it was just sent
   */
  public static Behavior<Command> create(Clock clock, InvitationJournal journal) {
    return create(clock, journal, InvitationRuleSource.NONE);
  }

  /** @param rules where sites' automatic invitation rules are read */
  public static Behavior<Command> create(Clock clock, InvitationJournal journal, InvitationRuleSource rules) {
    return Behaviors.setup(
        context ->
            Behaviors.withTimers(
                timers -> {
                  timers.startTimerWithFixedDelay(Tick.INSTANCE, TICK);
                  return new VisitorsNow(context, clock, journal, rules);
                }));
  }

  /** Records invitations durably; the edge passes one that tells the visitor entity. */
  @FunctionalInterface
  public interface InvitationJournal {
    /** {@code outcome} null: sent; else answered with it ({@code conversationId} when accepted). */
    void record(Invitation invitation, String outcome, String conversationId);
  }

  private final Clock clock;
  private final InvitationJournal journal;
  private final InvitationRuleSource ruleSource;
  private final Map<String, Site> sites = new HashMap<>();
  /**
   * When each visitor ("site\nvisitor") last got an automatic invitation, least recently invited first; kept after
   * the visitor left, so that the cap holds on their next visit.
   */
  private final LinkedHashMap<String, Instant> lastAutomatic =
      new LinkedHashMap<>(1024, 0.75f, false) { // insertion order: a new invitation re-inserts its visitor
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Instant> eldest) {
          return size() > MAX_CAPPED_VISITORS;
        }
      };
  /** Which sites each watcher watches, to forget it everywhere when its session stops. */
  private final Map<ActorRef<ListUpdate>, Set<String>> watching = new HashMap<>();
  private int tracked;
  private long nextVersion = 1;
  private boolean warnedFull;

  private VisitorsNow(
      ActorContext<Command> context, Clock clock, InvitationJournal journal, InvitationRuleSource ruleSource) {
    super(context);
    this.clock = clock;
    this.journal = journal;
    this.ruleSource = ruleSource;
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Arrived.class, this::onArrived)
        .onMessage(Changed.class, this::onChanged)
        .onMessage(Left.class, this::onLeft)
        .onMessage(Watch.class, this::onWatch)
        .onMessage(Unwatch.class, m -> unwatch(m.siteId(), m.watcher()))
        .onMessage(WatcherGone.class, this::onWatcherGone)
        .onMessage(Count.class, this::onCount)
        .onMessage(Invite.class, this::onInvite)
        .onMessage(Answer.class, this::onAnswer)
        .onMessage(RulesChanged.class, this::onRulesChanged)
        .onMessage(RulesLoaded.class, this::onRulesLoaded)
        .onMessageEquals(Tick.INSTANCE, this::onTick)
        .build();
  }

  private Behavior<Command> onArrived(Arrived m) {
    VisitorNow v = m.visitor();
    Site site = sites.computeIfAbsent(v.siteId(), id -> new Site());
    Present present = site.visitors.get(v.visitorId());
    if (present == null) {
      if (tracked >= MAX_VISITORS) {
        if (!warnedFull) {
          warnedFull = true;
          getContext().getLog().warn("Visitors now: {} visitors tracked on this node; more are not listed", tracked);
        }
        return this;
      }
      present = new Present(v.withVersion(nextVersion++));
      site.visitors.put(v.visitorId(), present);
      tracked++;
    } else {
      // Another tab, or the next page of the same visit: the visit keeps its start, page and page count.
      present.visitor = present.visitor.joinedBy(v).withVersion(nextVersion++);
    }
    if (present.sessions.size() < MAX_SESSIONS_PER_VISITOR) {
      present.sessions.add(m.session());
      present.inboxes.put(m.session(), m.inbox());
      // The next page of the visit shows what is still open.
      for (Pending p : present.invitations.values()) {
        m.inbox().tell(new Invited(p.invitation()));
      }
    }
    present.goneSince = null;
    site.dirty = true;
    return this;
  }

  private Behavior<Command> onChanged(Changed m) {
    Site site = sites.get(m.siteId());
    Present present = site == null ? null : site.visitors.get(m.visitorId());
    if (present == null) {
      return this;
    }
    VisitorNow changed = m.change().apply(present.visitor);
    if (!changed.sameAs(present.visitor)) {
      present.visitor = changed.withVersion(nextVersion++);
      site.dirty = true;
    }
    return this;
  }

  private Behavior<Command> onLeft(Left m) {
    Site site = sites.get(m.siteId());
    Present present = site == null ? null : site.visitors.get(m.visitorId());
    if (present != null) {
      present.inboxes.remove(m.session());
    }
    if (present != null && present.sessions.remove(m.session()) && present.sessions.isEmpty()) {
      present.goneSince = clock.instant();
    }
    return this;
  }

  private Behavior<Command> onWatch(Watch m) {
    Site site = sites.computeIfAbsent(m.siteId(), id -> new Site());
    if (!site.watchers.containsKey(m.watcher()) && site.watchers.size() >= MAX_WATCHERS_PER_SITE) {
      getContext().getLog().warn("Visitors now: site {} has {} watchers on this node; a watch is refused",
          m.siteId(), site.watchers.size());
      return this;
    }
    VisitorList list = new VisitorList(m.filter(), m.limit());
    site.watchers.put(m.watcher(), list);
    if (watching.computeIfAbsent(m.watcher(), w -> new HashSet<>()).size() == 0) {
      getContext().watchWith(m.watcher(), new WatcherGone(m.watcher()));
    }
    watching.get(m.watcher()).add(m.siteId());
    // The snapshot goes at once, not at the next tick: the agent opened the list and waits for it.
    send(m.siteId(), m.watcher(), list, all(site));
    return this;
  }

  private Behavior<Command> unwatch(String siteId, ActorRef<ListUpdate> watcher) {
    Site site = sites.get(siteId);
    if (site != null) {
      site.watchers.remove(watcher);
    }
    Set<String> watched = watching.get(watcher);
    if (watched != null) {
      watched.remove(siteId);
      if (watched.isEmpty()) {
        watching.remove(watcher);
        getContext().unwatch(watcher);
      }
    }
    return this;
  }

  private Behavior<Command> onWatcherGone(WatcherGone m) {
    Set<String> watched = watching.remove(m.watcher());
    if (watched != null) {
      for (String siteId : watched) {
        Site site = sites.get(siteId);
        if (site != null) {
          site.watchers.remove(m.watcher());
        }
      }
    }
    return this;
  }

  private Behavior<Command> onCount(Count m) {
    Site site = sites.get(m.siteId());
    m.replyTo().tell(site == null ? 0 : site.visitors.size());
    return this;
  }

  private Behavior<Command> onTick() {
    Instant now = clock.instant();
    Instant lingerCutoff = now.minus(LINGER);
    List<String> emptySites = new ArrayList<>();
    for (Map.Entry<String, Site> entry : sites.entrySet()) {
      Site site = entry.getValue();
      int before = site.visitors.size();
      Instant inviteCutoff = now.minus(INVITATION_TIMEOUT);
      for (Present p : site.visitors.values()) {
        boolean leaving = p.goneSince != null && p.goneSince.isBefore(lingerCutoff);
        p.invitations.values().removeIf(
            pending -> {
              if (leaving || pending.invitation().at().isBefore(inviteCutoff)) {
                answered(p, pending, Invitation.IGNORED, null);
                return true;
              }
              return false;
            });
      }
      site.visitors.values().removeIf(p -> p.goneSince != null && p.goneSince.isBefore(lingerCutoff));
      int gone = before - site.visitors.size();
      if (gone > 0) {
        tracked -= gone;
        site.dirty = true;
      }
      if (!site.visitors.isEmpty()) {
        applyRules(entry.getKey(), site, now);
      }
      // Ticks that waited in a busy mailbox arrive back to back: a watcher still gets at most one update a second.
      boolean due = site.sentAt == null || !site.sentAt.plus(MIN_UPDATE_SPACING).isAfter(now);
      if (site.dirty && due) {
        site.dirty = false;
        site.sentAt = now;
        if (!site.watchers.isEmpty()) {
          List<VisitorNow> all = all(site);
          for (Map.Entry<ActorRef<ListUpdate>, VisitorList> watcher : site.watchers.entrySet()) {
            send(entry.getKey(), watcher.getKey(), watcher.getValue(), all);
          }
        }
      }
      if (site.visitors.isEmpty() && site.watchers.isEmpty()) {
        emptySites.add(entry.getKey());
      }
    }
    emptySites.forEach(sites::remove);
    if (warnedFull && tracked < MAX_VISITORS / 2) {
      warnedFull = false;
    }
    return this;
  }

  private Behavior<Command> onRulesChanged(RulesChanged m) {
    Site site = sites.get(m.siteId());
    if (site != null) {
      askRules(m.siteId(), site, clock.instant());
    }
    return this;
  }

  private Behavior<Command> onRulesLoaded(RulesLoaded m) {
    Site site = sites.get(m.siteId());
    if (m.failure() != null) {
      getContext().getLog().warn("Visitors now: the invitation rules of site {} could not be read; kept the last",
          m.siteId(), m.failure());
    } else if (site != null) {
      site.rules = m.rules().stream().filter(InvitationRule::enabled).toList();
    }
    return this;
  }

  private void askRules(String siteId, Site site, Instant now) {
    site.rulesAskedAt = now;
    getContext().pipeToSelf(ruleSource.load(siteId), (rules, failure) -> new RulesLoaded(siteId, rules, failure));
  }

  /**
   * Invites, as the site, each connected visitor a rule is due for ({@link InvitationRules#due}); reads the rules
   * first when they are stale (they apply from the next tick).
   */
  private void applyRules(String siteId, Site site, Instant now) {
    if (site.rulesAskedAt == null || !site.rulesAskedAt.plus(RULES_REFRESH).isAfter(now)) {
      askRules(siteId, site, now);
    }
    if (site.rules.isEmpty()) {
      return;
    }
    for (Present p : site.visitors.values()) {
      if (p.inboxes.isEmpty()) {
        continue;
      }
      VisitorNow v = p.visitor;
      String key = siteId + "\n" + v.visitorId();
      InvitationRules.Facts facts =
          new InvitationRules.Facts(v.pageUrl(), v.pageSince(), v.visits(), v.referrer(),
              !VisitorNow.CHAT_NONE.equals(v.chat()) || !p.invitations.isEmpty(), lastAutomatic.get(key), now);
      InvitationRules.due(site.rules, facts).ifPresent(rule -> {
        Invitation inv =
            new Invitation(UUID.randomUUID().toString(), siteId, v.visitorId(), null, rule.senderName(), rule.text(),
                null, now, true, rule.id());
        lastAutomatic.remove(key);
        lastAutomatic.put(key, now);
        show(p, inv, null);
      });
    }
  }

  private Behavior<Command> onInvite(Invite m) {
    Invitation inv = m.invitation();
    Site site = sites.get(inv.siteId());
    Present present = site == null ? null : site.visitors.get(inv.visitorId());
    if (present == null || present.inboxes.isEmpty() || present.invitations.size() >= MAX_PENDING_INVITATIONS) {
      m.replyTo().tell(false);
      return this;
    }
    show(present, inv, m.agent());
    m.replyTo().tell(true);
    return this;
  }

  /** Shows the invitation on every open connection of the visitor and records it; {@code agent} null: automatic. */
  private void show(Present present, Invitation inv, ActorRef<InvitationAnswered> agent) {
    present.invitations.put(inv.invitationId(), new Pending(inv, agent));
    for (ActorRef<ToVisitor> inbox : present.inboxes.values()) {
      inbox.tell(new Invited(inv));
    }
    journal.record(inv, null, null);
  }

  private Behavior<Command> onAnswer(Answer m) {
    Site site = sites.get(m.siteId());
    Present present = site == null ? null : site.visitors.get(m.visitorId());
    Pending pending = present == null ? null : present.invitations.remove(m.invitationId());
    if (pending != null) {
      answered(present, pending, m.outcome(), m.conversationId());
    }
    return this;
  }

  /** Once per invitation: the agent is told, every tab stops showing it, the journal records it. */
  private void answered(Present present, Pending pending, String outcome, String conversationId) {
    if (pending.agent() != null) {
      pending.agent().tell(new InvitationAnswered(pending.invitation(), outcome, conversationId));
    }
    for (ActorRef<ToVisitor> inbox : present.inboxes.values()) {
      inbox.tell(new InvitationOver(pending.invitation().invitationId(), outcome));
    }
    journal.record(pending.invitation(), outcome, conversationId);
  }

  private static List<VisitorNow> all(Site site) {
    List<VisitorNow> all = new ArrayList<>(site.visitors.size());
    for (Present p : site.visitors.values()) {
      all.add(p.visitor);
    }
    return all;
  }

  private void send(String siteId, ActorRef<ListUpdate> watcher, VisitorList list, List<VisitorNow> all) {
    VisitorList.Update update = list.refresh(all);
    if (update != null) {
      watcher.tell(new ListUpdate(siteId, update, clock.instant()));
    }
  }
}
