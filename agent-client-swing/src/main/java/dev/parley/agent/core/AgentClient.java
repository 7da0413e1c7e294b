package dev.parley.agent.core;

import dev.parley.agent.protocol.ClientFrame;
import dev.parley.agent.protocol.Decoded;
import dev.parley.agent.protocol.FrameCodec;
import dev.parley.agent.protocol.ServerFrame;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's connection to a Parley server over the public wire protocol: log-in token in, {@link Workspace}
 * updates out. It keeps one WebSocket open, says {@code hello} with every conversation's last seq, resends the
 * {@link Outbox} with the original ids after every (re)connect, pings every {@value #PING_INTERVAL_MILLIS} ms and
 * treats two unanswered pings as a dead link, reconnects with {@link Backoff}, and renews its token before expiry.
 * After every welcome, and every {@value #TEAM_REPLIES_REFRESH_MILLIS} ms while connected, it reads the team quick
 * replies of the agent's sites over HTTP.
 *
 * <p>Frames are records both ways ({@link FrameCodec}): nothing here or past here sees JSON, and a frame the codec
 * cannot read is logged and dropped, never thrown. The broken-history rule lives in {@link HistoryChecks}, the
 * quick-reply reads in {@link TeamQuickRepliesReader}.
 *
 * <p>All state is owned by one single-threaded executor ({@code parley-net}); public methods only hand work to it,
 * so they never block the caller (the EDT).
 */
// Over 600 lines: the connection's one state machine, owned by one thread; what has state of its own is factored
// out (HistoryChecks, OfferPreviews, AgentNames, TeamQuickRepliesReader, Workspace).
public final class AgentClient implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(AgentClient.class);

  static final long PING_INTERVAL_MILLIS = 12_000;
  static final int MAX_MISSED_PONGS = 2;
  static final long TYPING_REPEAT_MILLIS = 2_000;
  static final long RETRY_PAUSE_MILLIS = 1_000;
  static final Duration SEND_TIMEOUT = Duration.ofSeconds(10);
  static final long TEAM_REPLIES_REFRESH_MILLIS = 5 * 60_000;
  /** Rows of each site's live visitor list (protocol §12 allows 1–500). */
  static final int VISITOR_LIST_LIMIT = 200;
  /** Invitations waiting for their answer; more are refused here (an agent does not send dozens at once). */
  static final int MAX_INVITATIONS_IN_FLIGHT = 20;
  /** Renew when this share of the token's life is left. */
  static final double RENEW_AT_REMAINING = 0.2;

  /**
   * Answers to the token itself (protocol §7, §8): only signing in again helps, so the client stops instead of
   * reconnecting. A live connection gets {@code invalid-token} when the account's access changed (a password changed
   * elsewhere, a role, a disable), and the server then closes it.
   */
  static final Set<String> LOGGED_OUT_CODES =
      Set.of("invalid-token", "token-expired", "two-factor-enrolment-required", "account-disabled");

  private final HttpClient http;
  private final URI socketUri;
  private final AuthApi auth;
  private final Outbox outbox;
  private final Workspace workspace;
  private final Clock clock;
  private final ScheduledExecutorService net;
  private final TeamQuickRepliesReader teamReplies;
  private final HistoryChecks history;
  private final AgentNames agentNames;
  private final long pingIntervalMillis;

  // Owned by the net thread. socket is null while not connected.
  private AuthApi.Login login;
  private WebSocket socket;
  private boolean welcomed;
  private int unansweredPings;
  private boolean stopped;
  private final Backoff backoff = new Backoff();
  private ScheduledFuture<?> reconnect;
  private ScheduledFuture<?> renewal;
  private final Map<String, Long> typingSentAt = new HashMap<>();
  /** The sites the agent works for, from the latest welcome. */
  private volatile List<String> sites = List.of();
  /** Ids of invitations sent and not answered yet (ack or error); owned by the net thread. */
  private final java.util.Set<String> invitations = new java.util.LinkedHashSet<>();
  private final OfferPreviews previews;
  /** The language places in the visitor lists are named in ({@code en}, {@code zh-CN}). */
  private volatile String visitorListLanguage = "en";

  public AgentClient(HttpClient http, URI serverBase, AuthApi.Login login, Outbox outbox, Clock clock) {
    this(http, serverBase, login, outbox, clock, PING_INTERVAL_MILLIS);
  }

  /** {@code pingIntervalMillis} shorter than the default only for tests of dead-link detection. */
  AgentClient(
      HttpClient http, URI serverBase, AuthApi.Login login, Outbox outbox, Clock clock, long pingIntervalMillis) {
    this.pingIntervalMillis = pingIntervalMillis;
    this.http = http;
    this.socketUri = AuthApi.agentSocket(serverBase);
    this.auth = new AuthApi(http, serverBase);
    this.login = login;
    this.outbox = outbox;
    this.clock = clock;
    this.workspace = new Workspace(outbox, clock);
    this.workspace.agentId(login.accountId());
    this.net =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "parley-net");
              t.setDaemon(true);
              return t;
            });
    this.teamReplies = new TeamQuickRepliesReader(auth, workspace);
    this.agentNames = new AgentNames(auth, workspace::namesChanged);
    this.previews = new OfferPreviews(workspace);
    this.history =
        new HistoryChecks(
            workspace,
            outbox,
            new HistoryChecks.Link() {
              @Override
              public void transmit(ClientFrame frame) {
                AgentClient.this.transmit(frame);
              }

              @Override
              public void drop(String why) {
                lost(socket, why);
              }

              @Override
              public boolean welcomed() {
                return welcomed;
              }
            });
  }

  public Workspace workspace() {
    return workspace;
  }

  public AuthApi.Login login() {
    return login;
  }

  /** Another agent's display name once read from the server, else null (show a stand-in). Any thread. */
  public String agentName(String agentId) {
    return agentNames.name(agentId);
  }

  public void start() {
    net.execute(this::connect);
    net.scheduleWithFixedDelay(this::heartbeat, pingIntervalMillis, pingIntervalMillis, TimeUnit.MILLISECONDS);
    net.scheduleWithFixedDelay(workspace::expireTyping, 1, 1, TimeUnit.SECONDS);
    net.scheduleWithFixedDelay(workspace::expireOffers, 1, 1, TimeUnit.SECONDS);
    net.execute(this::scheduleRenewal);
    net.scheduleWithFixedDelay(
        this::refreshTeamQuickReplies, TEAM_REPLIES_REFRESH_MILLIS, TEAM_REPLIES_REFRESH_MILLIS, TimeUnit.MILLISECONDS);
  }

  // Commands from the person ------------------------------------------------------------------------------

  /** Queues a message; returns its client message id at once. It is on disk before it goes on the wire. */
  public String send(String conversationId, String text) {
    String id = UUID.randomUUID().toString();
    ClientFrame.Send frame = new ClientFrame.Send(id, conversationId, text);
    net.execute(
        () -> {
          if (enqueue(frame)) {
            stopTyping(conversationId);
          }
        });
    return id;
  }

  public String claim(String conversationId) {
    String id = UUID.randomUUID().toString();
    net.execute(() -> enqueue(new ClientFrame.Claim(id, conversationId)));
    return id;
  }

  /**
   * Accepts an offered chat: the offer leaves the list and a {@code claim} goes out (protocol §10), through the
   * outbox like any claim. Claimed even when the offer ran out meanwhile: the server decides, and a waiting chat
   * may always be picked by hand.
   */
  public String acceptOffer(String conversationId) {
    String id = UUID.randomUUID().toString();
    net.execute(
        () -> {
          workspace.acceptOffer(conversationId);
          enqueue(new ClientFrame.Claim(id, conversationId));
        });
    return id;
  }

  /** Declines an offered chat ({@code decline}, protocol §10); nothing is sent when it is no longer offered. */
  public void declineOffer(String conversationId) {
    String id = UUID.randomUUID().toString();
    net.execute(
        () -> {
          if (workspace.declineOffer(conversationId) != null) {
            enqueue(new ClientFrame.Decline(id, conversationId));
          }
        });
  }

  /**
   * Hands the conversation to an agent ({@code toAgent}, account id) or a group ({@code toGroup}), exactly one of
   * them, with an optional internal {@code note} (protocol §10 {@code transfer}); through the outbox.
   */
  public String transfer(String conversationId, String toAgent, String toGroup, String note) {
    if ((toAgent == null) == (toGroup == null)) {
      throw new IllegalArgumentException("exactly one of toAgent and toGroup");
    }
    String id = UUID.randomUUID().toString();
    String text = note == null || note.isBlank() ? null : note;
    net.execute(() -> enqueue(new ClientFrame.Transfer(id, conversationId, toAgent, toGroup, text)));
    return id;
  }

  /** Writes an internal note, seen by agents only (protocol §10 {@code note}); through the outbox. */
  public String note(String conversationId, String text) {
    String id = UUID.randomUUID().toString();
    net.execute(() -> enqueue(new ClientFrame.Note(id, conversationId, text)));
    return id;
  }

  /**
   * Blocking (call off the EDT): a site's groups and agents to transfer to, this agent left out, each agent named
   * (read through the same names cache as timelines).
   */
  public AuthApi.TransferTargets transferTargets(String siteId) throws Exception {
    AuthApi.TransferTargets targets = auth.transferTargets(login.token(), siteId);
    List<String> others = targets.agentIds().stream()
        .filter(id -> !id.equals(workspace.agentId()))
        .toList();
    for (String id : others) {
      if (agentNames.name(id) == null) {
        String name = auth.agentName(siteId, id);
        if (name != null) {
          agentNames.put(id, name);
        }
      }
    }
    return new AuthApi.TransferTargets(targets.groups(), others);
  }

  /** The sites of the latest welcome (for the transfer dialog's lists). */
  public List<String> sites() {
    return sites;
  }

  public String closeConversation(String conversationId) {
    String id = UUID.randomUUID().toString();
    net.execute(() -> enqueue(new ClientFrame.Close(id, conversationId)));
    return id;
  }

  /**
   * Invites a visitor of a site's live list with {@code text}; returns the frame's id. Sent only on a live
   * connection (an invitation is worth sending only now): offline, it is refused at once as {@code offline}.
   */
  public String invite(String siteId, String visitorId, String text) {
    String id = UUID.randomUUID().toString();
    net.execute(
        () -> {
          if (!welcomed) {
            workspace.refused(null, id, "offline", null);
            return;
          }
          if (invitations.size() >= MAX_INVITATIONS_IN_FLIGHT) {
            workspace.refused(null, id, "rate-limited", null);
            return;
          }
          invitations.add(id);
          transmit(new ClientFrame.Invite(id, siteId, visitorId, text));
        });
    return id;
  }

  /** Names places in the visitor lists in this language from now on ({@code en}, {@code zh-CN}). */
  public void visitorListLanguage(String lang) {
    visitorListLanguage = lang;
    net.execute(
        () -> {
          if (welcomed) {
            for (String site : sites) {
              transmit(new ClientFrame.WatchVisitors(site, VISITOR_LIST_LIMIT, lang));
            }
          }
        });
  }

  public void status(String status) {
    String id = UUID.randomUUID().toString();
    net.execute(() -> enqueue(new ClientFrame.Status(id, status)));
  }

  /** Call on every keystroke: sends {@code typing:true} at most every 2 s (protocol §3). */
  public void typing(String conversationId, boolean typing) {
    net.execute(
        () -> {
          long now = clock.millis();
          Long last = typingSentAt.get(conversationId);
          if (typing && (last == null || now - last >= TYPING_REPEAT_MILLIS)) {
            typingSentAt.put(conversationId, now);
            transmit(new ClientFrame.Typing(conversationId, true));
          } else if (!typing) {
            stopTyping(conversationId);
          }
        });
  }

  private void stopTyping(String conversationId) {
    if (typingSentAt.remove(conversationId) != null) {
      transmit(new ClientFrame.Typing(conversationId, false));
    }
  }

  /**
   * The conversation is on screen: mark everything held as read, if that moves the mark. While its history is
   * replayed (first follow, resume, rebuild) nothing is sent: the view changes again once the replay's
   * {@code synced} arrives, and that call sends one mark for the highest seq.
   */
  public void markRead(String conversationId) {
    net.execute(
        () -> {
          if (!welcomed) {
            return; // the mark waits for the next connection, whose synced brings the server's
          }
          long seq = workspace.readMarkDue(conversationId);
          if (seq > 0) {
            transmit(new ClientFrame.Read(conversationId, seq));
          }
        });
  }

  private boolean enqueue(ClientFrame.Request frame) {
    try {
      outbox.add(frame);
    } catch (RuntimeException e) {
      LOG.error("could not store frame {} in the outbox", frame.id(), e);
      workspace.refused(frame.conversationId(), frame.id(), "outbox-failed", textOf(frame));
      return false;
    }
    if (frame.conversationId() != null) {
      workspace.changed(frame.conversationId());
    }
    if (welcomed) {
      transmit(frame);
    }
    return true;
  }

  // Connection life -----------------------------------------------------------------------------------------

  private void connect() {
    if (stopped) {
      return;
    }
    reconnect = null;
    workspace.connection(ConnectionState.CONNECTING, null);
    http.newWebSocketBuilder()
        .connectTimeout(Duration.ofSeconds(10))
        .buildAsync(socketUri, new Listener())
        .whenCompleteAsync(
            (ws, failure) -> {
              if (failure != null) {
                LOG.info("connect to {} failed: {}", socketUri, failure.toString());
                scheduleReconnect("connect failed");
                return;
              }
              if (stopped) {
                ws.abort();
                return;
              }
              socket = ws;
              welcomed = false;
              unansweredPings = 0;
              history.connected();
              transmit(new ClientFrame.Hello(login.token(), workspace.resume()));
            },
            net);
  }

  private void lost(WebSocket ws, String why) {
    if (ws == null || ws != socket) {
      return; // an old socket's last words
    }
    socket = null;
    welcomed = false;
    ws.abort();
    scheduleReconnect(why);
  }

  private void scheduleReconnect(String why) {
    if (stopped || reconnect != null) {
      return;
    }
    long delay = backoff.nextDelayMillis();
    LOG.info("connection lost ({}); reconnecting in {} ms", why, delay);
    workspace.connection(ConnectionState.RECONNECTING, why);
    reconnect = net.schedule(this::connect, delay, TimeUnit.MILLISECONDS);
  }

  private void heartbeat() {
    if (socket == null) {
      return;
    }
    if (unansweredPings >= MAX_MISSED_PONGS) {
      lost(socket, "no answer to ping");
      return;
    }
    unansweredPings++;
    transmit(new ClientFrame.Ping(clock.millis()));
  }

  private void transmit(ClientFrame frame) {
    WebSocket ws = socket;
    if (ws == null) {
      return; // not connected: the outbox keeps what matters, the rest (typing, read) is moot
    }
    try {
      // One send at a time, as the JDK's WebSocket demands; bounded so a stuck socket counts as lost.
      ws.sendText(FrameCodec.encode(frame), true).get(SEND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      lost(ws, "send failed: " + e);
    }
  }

  // Frames from the server ----------------------------------------------------------------------------------

  private void onFrame(WebSocket ws, ServerFrame frame) {
    if (ws != socket) {
      return;
    }
    unansweredPings = 0; // any frame proves the link is alive
    // Java 17 has no pattern switch; the frames the agent acts on, the rest (pong, notes…) ignored.
    if (frame instanceof ServerFrame.Welcome welcome) {
      onWelcome(welcome);
    } else if (frame instanceof ServerFrame.Ack ack) {
      onAck(ack);
    } else if (frame instanceof ServerFrame.Error error) {
      onError(error);
    } else if (frame instanceof ServerFrame.Event event) {
      if (previews.previewing(event.conversationId())) {
        previews.event(event);
      } else {
        history.event(event);
        nameAuthor(event.author());
      }
    } else if (frame instanceof ServerFrame.Synced synced) {
      if (!previews.previewing(synced.conversationId())) {
        history.synced(synced);
      }
    } else if (frame instanceof ServerFrame.Typing typing) {
      workspace.typing(typing);
    } else if (frame instanceof ServerFrame.Read read) {
      workspace.read(read);
    } else if (frame instanceof ServerFrame.Queue queue) {
      workspace.queue(queue);
    } else if (frame instanceof ServerFrame.QueueChanged changed) {
      workspace.queueChanged(changed);
    } else if (frame instanceof ServerFrame.Visitor visitor) {
      if (previews.previewing(visitor.conversationId())) {
        previews.visitor(visitor);
      } else {
        workspace.visitor(visitor);
      }
    } else if (frame instanceof ServerFrame.Offer offer) {
      onOffer(offer);
    } else if (frame instanceof ServerFrame.Note note) {
      if (!previews.previewing(note.conversationId())) {
        workspace.note(note);
        nameAuthor(note.author());
      }
    } else if (frame instanceof ServerFrame.OfferEnded ended) {
      workspace.offerEnded(ended.conversationId());
    } else if (frame instanceof ServerFrame.Visitors visitors) {
      workspace.visitors(visitors);
    } else if (frame instanceof ServerFrame.VisitorsChanged changed) {
      workspace.visitorsChanged(changed);
    } else if (frame instanceof ServerFrame.InvitationAnswered answered) {
      workspace.invitationAnswered(answered);
    } else if (frame instanceof ServerFrame.Unknown unknown) {
      LOG.debug("frame of unknown type {} ignored", unknown.type()); // protocol: clients ignore unknown types
    }
  }

  private void onOffer(ServerFrame.Offer offer) {
    workspace.offered(offer);
    String id = offer.conversationId();
    // What the visitor wrote and is called: follow the offered conversation for a while (protocol §3 sync).
    if (previews.start(id)) {
      transmit(new ClientFrame.Sync(id, 0));
    }
  }

  /** An author who is another agent gets a name (read on the names thread); ours is the welcome's. */
  private void nameAuthor(ServerFrame.Author author) {
    if (author != null && "agent".equals(author.role()) && !java.util.Objects.equals(author.id(), workspace.agentId())) {
      agentNames.want(author.id(), sites);
    }
  }

  private void onWelcome(ServerFrame.Welcome frame) {
    welcomed = true;
    previews.clear(); // a new connection follows none of them
    workspace.clearOffers(); // nor are pending offers sent again (ROUTING.md): the next ones will come
    backoff.reset();
    workspace.agentId(frame.agentId() != null ? frame.agentId() : login.accountId());
    workspace.agentStatus(frame.status());
    frame.conversations().forEach(workspace::follow);
    sites = frame.sites().stream().map(ServerFrame.SiteRole::siteId).toList();
    // Every site's live visitor list: the first answer is a whole list, so a reconnect starts it over.
    workspace.clearVisitors();
    invitations.clear(); // answers to invitations of the last connection will not come
    for (String site : sites) {
      transmit(new ClientFrame.WatchVisitors(site, VISITOR_LIST_LIMIT, visitorListLanguage));
    }
    workspace.connection(ConnectionState.ONLINE, null);
    List<ClientFrame.Request> pending = outbox.pending();
    pending.forEach(this::transmit);
    LOG.info("welcomed as agent {}; resent {} outbox frames", frame.agentId(), pending.size());
    // Replies may have changed while we were away; this is also the first read after log-in.
    refreshTeamQuickReplies();
  }

  /** On the net thread: one read of every site's team replies, on the reader's own thread. */
  private void refreshTeamQuickReplies() {
    if (!welcomed || stopped) {
      return; // the next welcome reads them
    }
    teamReplies.refresh(login.token(), sites);
  }

  private void onAck(ServerFrame.Ack frame) {
    if (invitations.remove(frame.id())) {
      workspace.invitationShown(frame.id());
      return;
    }
    ClientFrame.Request original = outbox.get(frame.id());
    if (original instanceof ClientFrame.Send send && history.ackContradicts(send, frame)) {
      return; // the message stays in the outbox and goes again, same id, once the history is rebuilt
    }
    if (original != null && !(original instanceof ClientFrame.Send)) {
      outbox.remove(frame.id()); // a send leaves the outbox with its event (HistoryChecks), the rest with its ack
    }
    if (original instanceof ClientFrame.Claim claim) {
      workspace.follow(claim.conversationId());
      if (previews.claimed(claim.conversationId())) {
        // The preview took the events the claim would have replayed (the connection already followed it).
        transmit(new ClientFrame.Sync(claim.conversationId(), 0));
      }
    }
    if (original instanceof ClientFrame.Status status) {
      workspace.agentStatus(status.status());
    }
    if (frame.conversationId() != null) {
      workspace.changed(frame.conversationId());
    }
  }

  private void onError(ServerFrame.Error frame) {
    String code = frame.code();
    String ref = frame.ref();
    if (ref == null && LOGGED_OUT_CODES.contains(code)) {
      LOG.info("the server ended the session ({}): {}", code, frame.message());
      loggedOut(code);
      return;
    }
    if (ref == null) {
      LOG.warn("server error {}: {}", code, frame.message());
      return;
    }
    if (invitations.remove(ref)) {
      // An invitation is not retried: the visitor may be gone by then (visitor-offline is final anyway).
      workspace.refused(null, ref, code, null);
      return;
    }
    ClientFrame.Request original = outbox.get(ref);
    if (original == null) {
      return;
    }
    // The server's retry flag decides (protocol §8); one too old to send it reads as final (see the codec).
    if (!frame.retry()) {
      outbox.remove(ref);
      workspace.refused(original.conversationId(), ref, code, textOf(original));
    } else {
      // At least as long as the server asked for (retryAfterMs of rate-limited and overloaded). Not connected by
      // then (not-authenticated, a drop): the frame stays in the outbox and goes again after the next welcome.
      long pause = Math.max(RETRY_PAUSE_MILLIS, frame.retryAfterMs() == null ? 0 : frame.retryAfterMs());
      net.schedule(
          () -> {
            if (welcomed && outbox.contains(ref)) {
              transmit(original);
            }
          },
          pause,
          TimeUnit.MILLISECONDS);
    }
  }

  /** A message's text, to show it as failed; null for frames that are not messages. */
  private static String textOf(ClientFrame.Request frame) {
    return frame instanceof ClientFrame.Send send ? send.text() : null;
  }

  // Token renewal -------------------------------------------------------------------------------------------

  private void scheduleRenewal() {
    Instant now = clock.instant();
    Duration left = Duration.between(now, login.expiresAt());
    long delay = Math.max(1_000, (long) (left.toMillis() * (1 - RENEW_AT_REMAINING)));
    renewal = net.schedule(this::renew, delay, TimeUnit.MILLISECONDS);
  }

  private void renew() {
    if (stopped) {
      return;
    }
    try {
      login = auth.renew(login);
      LOG.info("token renewed until {}", login.expiresAt());
      scheduleRenewal();
    } catch (AuthApi.Refused e) {
      if (LOGGED_OUT_CODES.contains(e.code())) {
        LOG.warn("token renewal refused: {}", e.code());
        loggedOut(e.code());
        return;
      }
      // Busy or throttled: at least as long as the server asked, and no sooner than the backoff.
      LOG.info("token renewal refused for now ({}), retrying", e.code());
      long delay = Math.max(backoff.nextDelayMillis(), e.retryAfterSeconds() * 1000);
      renewal = net.schedule(this::renew, delay, TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      LOG.info("token renewal failed, retrying: {}", e.toString());
      renewal = net.schedule(this::renew, backoff.nextDelayMillis(), TimeUnit.MILLISECONDS);
    }
  }

  /** On the net thread: the token is refused for good. Stops everything and tells the workspace why. */
  private void loggedOut(String code) {
    stopped = true;
    if (renewal != null) {
      renewal.cancel(false);
    }
    if (reconnect != null) {
      reconnect.cancel(false);
    }
    WebSocket ws = socket;
    socket = null;
    welcomed = false;
    if (ws != null) {
      ws.abort();
    }
    workspace.connection(ConnectionState.LOGGED_OUT, code);
  }

  @Override
  public void close() {
    net.execute(
        () -> {
          stopped = true;
          if (renewal != null) {
            renewal.cancel(false);
          }
          if (socket != null) {
            socket.abort();
            socket = null;
          }
          workspace.connection(ConnectionState.STOPPED, null);
        });
    net.shutdown();
    teamReplies.close();
    agentNames.close();
    try {
      net.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Hands socket callbacks to the net thread; after {@link #close()} they have nobody to tell. */
  private void onNet(Runnable task) {
    try {
      net.execute(task);
    } catch (RejectedExecutionException closed) {
      LOG.debug("socket callback after close ignored");
    }
  }

  private final class Listener implements WebSocket.Listener {
    // Owned by the JDK's listener thread, which delivers one message at a time.
    private final StringBuilder partial = new StringBuilder();

    @Override
    public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
      partial.append(data);
      if (last) {
        String text = partial.toString();
        partial.setLength(0);
        Decoded<ServerFrame> decoded = FrameCodec.decode(text);
        if (decoded instanceof Decoded.Ok<ServerFrame> ok) {
          onNet(() -> onFrame(ws, ok.frame()));
        } else if (decoded instanceof Decoded.Malformed<ServerFrame> bad) {
          // Ignored, as a frame of an unknown type would be; it still proves the link alive.
          LOG.warn("malformed frame from server ignored: {}", bad.reason());
          onNet(() -> {
            if (ws == socket) {
              unansweredPings = 0;
            }
          });
        }
      }
      ws.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
      onNet(() -> lost(ws, "closed " + statusCode + " " + reason));
      return null;
    }

    @Override
    public void onError(WebSocket ws, Throwable error) {
      onNet(() -> lost(ws, "error " + error));
    }
  }
}
