package dev.parley.agent.core;

import dev.parley.agent.protocol.ClientFrame;
import dev.parley.agent.protocol.ServerFrame;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Everything the agent's screen shows, built from server frames: the waiting queue, the conversations this agent
 * follows, and the connection state. Frames are applied by the {@link AgentClient} on its network thread; readers
 * on other threads get immutable {@link ConversationView}s. Listeners are told of every change (no polling).
 */
public final class Workspace {

  /** An entry older than this when it arrives is history being replayed, not news worth a notification. */
  static final Duration FRESH_MESSAGE_AGE = Duration.ofSeconds(60);

  /** The protocol lets {@code hello.resume} name at most this many conversations. */
  static final int MAX_RESUME_ENTRIES = 200;

  private final Outbox outbox;
  private final Clock clock;
  private final List<WorkspaceListener> listeners = new CopyOnWriteArrayList<>();
  // Guarded by this.
  private final Map<String, Conversation> conversations = new LinkedHashMap<>();
  private List<QueueEntry> queue = List.of();
  /** Each site's queue in its order, as the server's queue and queueChanged frames built it. */
  private final Map<String, LinkedHashMap<String, QueueEntry>> queues = new HashMap<>();
  private ConnectionState connection = ConnectionState.CONNECTING;
  private String agentId;
  private String agentStatus;
  private List<QuickReplies.Reply> teamQuickReplies = List.of();
  private final VisitorsNow visitorsNow = new VisitorsNow();
  private final Offers offers;

  public Workspace(Outbox outbox, Clock clock) {
    this.outbox = outbox;
    this.clock = clock;
    this.offers = new Offers(clock);
  }

  /** The chats offered to this agent now (protocol §10). */
  public Offers offers() {
    return offers;
  }

  synchronized boolean holds(String conversationId) {
    return conversations.containsKey(conversationId);
  }

  void offered(ServerFrame.Offer frame) {
    if (offers.offered(frame)) {
      publishOffers();
    }
  }

  void offerEnded(String conversationId) {
    if (offers.ended(conversationId)) {
      publishOffers();
    }
  }

  /** What a preview of an offered conversation told: its first visitor message, the visitor's name. */
  void offerPreview(String conversationId, String visitorName, String firstMessage) {
    boolean changed = offers.visitorName(conversationId, visitorName);
    changed |= offers.firstMessage(conversationId, firstMessage);
    if (changed) {
      publishOffers();
    }
  }

  Offers.Offer acceptOffer(String conversationId) {
    Offers.Offer o = offers.accept(conversationId);
    publishOffers();
    return o;
  }

  Offers.Offer declineOffer(String conversationId) {
    Offers.Offer o = offers.decline(conversationId);
    publishOffers();
    return o;
  }

  /** Called every second: offers whose time ran out leave the list. */
  void expireOffers() {
    if (offers.expire()) {
      publishOffers();
    }
  }

  void clearOffers() {
    offers.clear();
    publishOffers();
  }

  /** An internal note: kept by noteSeq in the conversation, shown apart from the timeline. */
  void note(ServerFrame.Note frame) {
    ServerFrame.Author author = frame.author();
    NoteEntry note = new NoteEntry(frame.noteSeq(), author == null ? null : author.id(), frame.text(), frame.at());
    ConversationView view;
    synchronized (this) {
      // A transfer's note may come before the conversation's first event here.
      Conversation c = conversations.computeIfAbsent(
          frame.conversationId(), k -> new Conversation(k, visitorOf(k)));
      if (!c.note(note)) {
        return;
      }
      view = c.view(pendingFor(c.id), clock.millis());
    }
    listeners.forEach(l -> l.conversationChanged(view));
  }

  /** Another agent's name became known: every conversation is shown again (any may name that agent). */
  void namesChanged() {
    List<ConversationView> all = views();
    all.forEach(v -> listeners.forEach(l -> l.conversationChanged(v)));
  }

  private void publishOffers() {
    List<Offers.Offer> open = offers.open();
    listeners.forEach(l -> l.offersChanged(open));
  }

  public void addListener(WorkspaceListener listener) {
    listeners.add(listener);
  }

  public void removeListener(WorkspaceListener listener) {
    listeners.remove(listener);
  }

  // Reads, any thread ---------------------------------------------------------------------------------------

  public synchronized List<QueueEntry> queue() {
    return queue;
  }

  public synchronized ConnectionState connection() {
    return connection;
  }

  public synchronized String agentId() {
    return agentId;
  }

  /** The agent's status as the server last confirmed it ({@code online}, {@code away}, {@code offline}); may be null. */
  public synchronized String agentStatus() {
    return agentStatus;
  }

  /**
   * Every site's team quick replies as last read from the server; empty until the first read. Read when a menu
   * opens or a shortcut is pressed rather than announced: nothing on screen shows them in between.
   */
  public synchronized List<QuickReplies.Reply> teamQuickReplies() {
    return teamQuickReplies;
  }

  synchronized void teamQuickReplies(List<QuickReplies.Reply> replies) {
    teamQuickReplies = List.copyOf(replies);
  }

  synchronized void agentStatus(String status) {
    agentStatus = status;
  }

  public synchronized ConversationView view(String conversationId) {
    Conversation c = conversations.get(conversationId);
    return c == null ? null : c.view(pendingFor(conversationId), clock.millis());
  }

  public synchronized List<ConversationView> views() {
    List<ConversationView> all = new ArrayList<>();
    conversations.values().forEach(c -> all.add(c.view(pendingFor(c.id), clock.millis())));
    return all;
  }

  /**
   * For a new connection's {@code hello}: conversation id → highest contiguous seq held, for {@code resume}; closed
   * ones are left out unless their history is being rebuilt (then the resume from seq 0 is the rebuild). Each one
   * named replays until its {@code synced}, and read marks sent on an earlier connection count for nothing.
   */
  synchronized Map<String, Long> resume() {
    Map<String, Long> resume = new LinkedHashMap<>();
    for (Conversation c : conversations.values()) {
      c.readSentSeq = 0;
      if ((!c.status.equals("closed") || c.rebuilding) && resume.size() < MAX_RESUME_ENTRIES) {
        resume.put(c.id, c.contiguousSeq);
        c.replaying = true;
      }
    }
    return resume;
  }

  /**
   * The seq to send a {@code read} for, now that the conversation is on screen, or 0 when none is due: nothing new
   * since the last mark, or its history is being replayed (then one mark follows the replay's {@code synced}).
   */
  synchronized long readMarkDue(String conversationId) {
    Conversation c = conversations.get(conversationId);
    return c == null ? 0 : c.readMarkDue();
  }

  private List<TimelineEntry> pendingFor(String conversationId) {
    List<TimelineEntry> pending = new ArrayList<>();
    for (ClientFrame.Request frame : outbox.pending()) {
      if (frame instanceof ClientFrame.Send send && conversationId.equals(send.conversationId())) {
        pending.add(new TimelineEntry(0, "message", send.id(), "agent", agentId, send.text(), null, true, null));
      }
    }
    // Once the server's event for a message has arrived, the outbox copy is only waiting for its ack.
    Conversation c = conversations.get(conversationId);
    if (c != null) {
      Set<String> delivered = new HashSet<>();
      c.entries.values().forEach(e -> delivered.add(e.id()));
      pending.removeIf(p -> delivered.contains(p.id()));
    }
    return pending;
  }

  // Frames, network thread ----------------------------------------------------------------------------------

  void connection(ConnectionState state, String detail) {
    synchronized (this) {
      connection = state;
    }
    listeners.forEach(l -> l.connectionChanged(state, detail));
  }

  synchronized void agentId(String id) {
    agentId = id;
  }

  /** The server follows this conversation for us (welcome's list, or a claim). */
  void follow(String conversationId) {
    ConversationView view;
    synchronized (this) {
      if (conversations.containsKey(conversationId)) {
        return;
      }
      Conversation c = new Conversation(conversationId, visitorOf(conversationId));
      c.status = "assigned";
      conversations.put(conversationId, c);
      view = c.view(pendingFor(conversationId), clock.millis());
    }
    listeners.forEach(l -> l.conversationChanged(view));
  }

  private String visitorOf(String conversationId) {
    return queue.stream()
        .filter(q -> q.conversationId().equals(conversationId))
        .map(QueueEntry::visitorId)
        .findFirst()
        .orElse(null);
  }

  /** What a {@code synced} frame made of a conversation. */
  enum Synced {
    /** Brought up to date. */
    UP_TO_DATE,
    /** Brought up to date after {@link #discard}: the history is whole again. */
    REBUILT,
    /** Its {@code lastSeq} is below the highest seq held: nothing applied, the caller resyncs. */
    CONTRADICTS
  }

  /**
   * Applies an event; false if its seq is held with another entry, or an ack gave it to another message of ours
   * (protocol §5), in which case nothing changed and the caller must {@link #discard} the conversation and sync it
   * from seq 0. A replay of a held entry is dropped.
   */
  boolean event(ServerFrame.Event frame) {
    String id = frame.conversationId();
    ServerFrame.Author author = frame.author();
    TimelineEntry entry =
        new TimelineEntry(
            frame.seq(),
            frame.kind(),
            frame.id(),
            author == null ? null : author.role(),
            author == null ? null : author.id(),
            frame.text(),
            frame.at(),
            false,
            null);
    ConversationView view;
    boolean fresh;
    synchronized (this) {
      Conversation c = conversations.computeIfAbsent(id, k -> new Conversation(k, visitorOf(k)));
      Conversation.Added added = c.add(entry);
      if (added == Conversation.Added.DUPLICATE) {
        return true; // a seq we already hold with this entry: drop it (protocol §5)
      }
      if (added == Conversation.Added.CONTRADICTS) {
        return false;
      }
      if (entry.fromVisitor() && entry.isMessage()) {
        c.visitorTypingUntilMillis = 0; // the message is what they were typing
      }
      view = c.view(pendingFor(id), clock.millis());
      fresh =
          !c.rebuilding // a replay of what was shown before, not news
              && entry.isMessage()
              && entry.fromVisitor()
              && entry.at() != null
              && entry.at().isAfter(clock.instant().minus(FRESH_MESSAGE_AGE));
    }
    listeners.forEach(l -> l.conversationChanged(view));
    if (fresh) {
      listeners.forEach(l -> l.visitorMessage(view, entry));
    }
    return true;
  }

  /**
   * Applies a {@code synced} frame unless its {@code lastSeq} is below the highest seq held (protocol §5): then
   * nothing changes and the caller must {@link #discard} the conversation and sync it from seq 0.
   */
  Synced synced(ServerFrame.Synced frame) {
    String id = frame.conversationId();
    ConversationView view;
    boolean rebuilt;
    synchronized (this) {
      Conversation c = conversations.computeIfAbsent(id, k -> new Conversation(k, null));
      if (frame.lastSeq() < c.highestSeq()) {
        return Synced.CONTRADICTS;
      }
      rebuilt = c.rebuilding;
      c.rebuilding = false;
      c.replaying = false;
      if (frame.status() != null) {
        c.status = frame.status();
      }
      if (c.visitorId == null && frame.visitorId() != null) {
        c.visitorId = frame.visitorId();
        c.visitor = VisitorInfo.unknown(id, c.visitorId);
      }
      for (ServerFrame.ReadMark read : frame.reads()) {
        applyRead(c, read.reader().role(), read.reader().id(), read.seq());
      }
      view = c.view(pendingFor(id), clock.millis());
    }
    listeners.forEach(l -> l.conversationChanged(view));
    return rebuilt ? Synced.REBUILT : Synced.UP_TO_DATE;
  }

  /**
   * Whether the ack of our message {@code id} contradicts the history held (protocol §5): its seq is held for
   * another entry or was given to another message of ours. If not, and the seq's event has not arrived yet, that
   * event is checked against {@code id} when it comes.
   */
  synchronized boolean ackContradicts(String conversationId, long seq, String id) {
    Conversation c = conversations.get(conversationId);
    return c != null && !c.acked(seq, id);
  }

  /** The messages of this agent held for the conversation, in seq order. */
  synchronized List<TimelineEntry> ownMessages(String conversationId) {
    Conversation c = conversations.get(conversationId);
    if (c == null) {
      return List.of();
    }
    return c.entries.values().stream()
        .filter(e -> e.isMessage() && "agent".equals(e.authorRole()) && e.id() != null
            && e.authorId() != null && e.authorId().equals(agentId))
        .toList();
  }

  /** Whether the conversation holds the event of message {@code id}. */
  synchronized boolean holdsMessage(String conversationId, String id) {
    Conversation c = conversations.get(conversationId);
    return c != null && c.entries.values().stream().anyMatch(e -> e.isMessage() && id.equals(e.id()));
  }

  /** Forgets what is held of a conversation's history so a sync from seq 0 rebuilds it (protocol §5). */
  void discard(String conversationId) {
    update(conversationId, Conversation::discard);
  }

  void read(ServerFrame.Read frame) {
    update(frame.conversationId(), c -> applyRead(c, frame.reader().role(), frame.reader().id(), frame.seq()));
  }

  private void applyRead(Conversation c, String role, String readerId, long seq) {
    // Read marks only grow (protocol §4), so take the maximum whatever order frames come in.
    if ("visitor".equals(role)) {
      c.visitorReadSeq = Math.max(c.visitorReadSeq, seq);
    } else if ("agent".equals(role) && readerId != null && readerId.equals(agentId)) {
      c.myReadSeq = Math.max(c.myReadSeq, seq);
    }
  }

  void typing(ServerFrame.Typing frame) {
    if (frame.author() == null || !"visitor".equals(frame.author().role())) {
      return;
    }
    boolean typing = frame.typing();
    update(
        frame.conversationId(),
        c -> c.visitorTypingUntilMillis = typing ? clock.millis() + Conversation.TYPING_EXPIRY_MILLIS : 0);
  }

  /** Re-announces conversations whose visitor-typing mark has run out, so views stop showing it. */
  void expireTyping() {
    List<String> expired = new ArrayList<>();
    synchronized (this) {
      long now = clock.millis();
      for (Conversation c : conversations.values()) {
        if (c.visitorTypingUntilMillis != 0 && c.visitorTypingUntilMillis <= now) {
          expired.add(c.id);
        }
      }
    }
    expired.forEach(id -> update(id, c -> c.visitorTypingUntilMillis = 0));
  }

  void visitor(ServerFrame.Visitor frame) {
    VisitorInfo info = VisitorInfo.of(frame);
    update(
        info.conversationId(),
        c -> {
          c.visitor = info;
          if (c.visitorId == null) {
            c.visitorId = info.visitorId();
          }
        });
  }

  /** A site's whole queue ({@code queue} frame): replaces what this workspace held for the site. */
  void queue(ServerFrame.Queue frame) {
    String siteId = frame.siteId();
    LinkedHashMap<String, QueueEntry> site = new LinkedHashMap<>();
    for (ServerFrame.Waiting w : frame.waiting()) {
      QueueEntry entry = entry(w);
      site.put(entry.conversationId(), entry);
    }
    boolean someoneNew;
    synchronized (this) {
      LinkedHashMap<String, QueueEntry> before = queues.getOrDefault(siteId, new LinkedHashMap<>());
      someoneNew = site.keySet().stream().anyMatch(id -> !before.containsKey(id));
      queues.put(siteId, site);
    }
    publishQueue(someoneNew);
  }

  /**
   * What changed in a site's queue ({@code queueChanged} frame, PROTOCOL.md §10): the removed ids leave, the
   * added entries join at the end (an id already held is left as it is).
   */
  void queueChanged(ServerFrame.QueueChanged frame) {
    String siteId = frame.siteId();
    boolean someoneNew = false;
    synchronized (this) {
      LinkedHashMap<String, QueueEntry> site = queues.computeIfAbsent(siteId, k -> new LinkedHashMap<>());
      frame.removed().forEach(site::remove);
      for (ServerFrame.Waiting w : frame.added()) {
        QueueEntry entry = entry(w);
        someoneNew |= site.putIfAbsent(entry.conversationId(), entry) == null;
      }
    }
    publishQueue(someoneNew);
  }

  private static QueueEntry entry(ServerFrame.Waiting w) {
    return new QueueEntry(w.conversationId(), w.visitorId(), w.since());
  }

  /** Every site's queue in one list, oldest first, to the listeners. */
  private void publishQueue(boolean someoneNew) {
    List<QueueEntry> waiting = new ArrayList<>();
    synchronized (this) {
      queues.values().forEach(site -> waiting.addAll(site.values()));
      waiting.sort(
          java.util.Comparator.comparing(
              QueueEntry::since, java.util.Comparator.nullsLast(java.util.Comparator.naturalOrder())));
      queue = List.copyOf(waiting);
    }
    listeners.forEach(l -> l.queueChanged(waiting, someoneNew));
  }

  // Visitors now (protocol §12) -----------------------------------------------------------------------------

  void visitors(dev.parley.agent.protocol.ServerFrame.Visitors frame) {
    synchronized (this) {
      visitorsNow.replace(frame, clock.instant());
    }
    publishVisitors();
  }

  void visitorsChanged(dev.parley.agent.protocol.ServerFrame.VisitorsChanged frame) {
    synchronized (this) {
      visitorsNow.change(frame, clock.instant());
    }
    publishVisitors();
  }

  /** The lists as of now (times on site and page move on): the view asks every second. */
  public synchronized List<VisitorsNow.Row> visitorRows() {
    return visitorsNow.rows(clock.instant());
  }

  public synchronized int visitorsTotal() {
    return visitorsNow.total();
  }

  void clearVisitors() {
    synchronized (this) {
      visitorsNow.clear();
    }
    publishVisitors();
  }

  void invitationShown(String ref) {
    listeners.forEach(l -> l.invitationShown(ref));
  }

  void invitationAnswered(dev.parley.agent.protocol.ServerFrame.InvitationAnswered frame) {
    listeners.forEach(l -> l.invitationAnswered(frame.visitorId(), frame.answer()));
  }

  private void publishVisitors() {
    List<VisitorsNow.Row> rows;
    int total;
    synchronized (this) {
      rows = visitorsNow.rows(clock.instant());
      total = visitorsNow.total();
    }
    listeners.forEach(l -> l.visitorsChanged(rows, total));
  }

  /** A frame of ours was refused for good: show it as failed instead of pending. */
  void refused(String conversationId, String ref, String code, String text) {
    if (conversationId != null && text != null) {
      update(
          conversationId,
          c -> c.failed.put(ref, new TimelineEntry(0, "message", ref, "agent", agentId, text, null, false, code)));
    } else if (conversationId != null) {
      changed(conversationId);
    }
    listeners.forEach(l -> l.refused(conversationId, ref, code));
  }

  /** Tells listeners that something derived (such as the outbox) changed for this conversation. */
  void changed(String conversationId) {
    update(conversationId, c -> {});
  }

  private void update(String conversationId, java.util.function.Consumer<Conversation> change) {
    ConversationView view;
    synchronized (this) {
      Conversation c = conversations.get(conversationId);
      if (c == null) {
        return;
      }
      change.accept(c);
      view = c.view(pendingFor(conversationId), clock.millis());
    }
    listeners.forEach(l -> l.conversationChanged(view));
  }
}
