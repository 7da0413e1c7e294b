package dev.parley.agent.core;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadPoolExecutor;
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
 * <p>All state is owned by one single-threaded executor ({@code parley-net}); public methods only hand work to it,
 * so they never block the caller (the EDT). Quick-reply reads run on their own thread ({@code parley-api}) so a slow
 * HTTP answer never holds up frames or pings.
 */
public final class AgentClient implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(AgentClient.class);

  static final long PING_INTERVAL_MILLIS = 12_000;
  static final int MAX_MISSED_PONGS = 2;
  static final long TYPING_REPEAT_MILLIS = 2_000;
  static final long RETRY_PAUSE_MILLIS = 1_000;
  static final Duration SEND_TIMEOUT = Duration.ofSeconds(10);
  static final long TEAM_REPLIES_REFRESH_MILLIS = 5 * 60_000;
  /** A refresh waiting behind a running one is enough: a newer request replaces it. */
  static final int MAX_QUEUED_REFRESHES = 1;
  /** Renew when this share of the token's life is left. */
  static final double RENEW_AT_REMAINING = 0.2;
  /**
   * A conversation that contradicts itself again after every rebuild is not rebuilt forever on one connection:
   * beyond this many resyncs the link is dropped, and the reconnect (with backoff) resumes it from seq 0.
   */
  static final int MAX_RESYNCS_PER_CONNECTION = 5;

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
  private final ThreadPoolExecutor api;
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
  /** Conversation id → resyncs on the current socket, against {@link #MAX_RESYNCS_PER_CONNECTION}. */
  private final Map<String, Integer> resyncs = new HashMap<>();
  /**
   * Conversation id → our messages it showed before a rebuild, by id, until the rebuilt history is checked for
   * them; bounded by the conversation's own timeline limit.
   */
  private final Map<String, Map<String, TimelineEntry>> shownBeforeRebuild = new HashMap<>();
  /** The sites the agent works for, from the latest welcome. */
  private List<String> sites = List.of();

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
    this.api =
        new ThreadPoolExecutor(
            1, 1, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(MAX_QUEUED_REFRESHES),
            r -> {
              Thread t = new Thread(r, "parley-api");
              t.setDaemon(true);
              return t;
            },
            new ThreadPoolExecutor.DiscardOldestPolicy());
  }

  public Workspace workspace() {
    return workspace;
  }

  public AuthApi.Login login() {
    return login;
  }

  public void start() {
    net.execute(this::connect);
    net.scheduleWithFixedDelay(this::heartbeat, pingIntervalMillis, pingIntervalMillis, TimeUnit.MILLISECONDS);
    net.scheduleWithFixedDelay(workspace::expireTyping, 1, 1, TimeUnit.SECONDS);
    net.execute(this::scheduleRenewal);
    net.scheduleWithFixedDelay(
        this::refreshTeamQuickReplies, TEAM_REPLIES_REFRESH_MILLIS, TEAM_REPLIES_REFRESH_MILLIS, TimeUnit.MILLISECONDS);
  }

  // Commands from the person ------------------------------------------------------------------------------

  /** Queues a message; returns its client message id at once. It is on disk before it goes on the wire. */
  public String send(String conversationId, String text) {
    String id = UUID.randomUUID().toString();
    ObjectNode frame = frame("send").put("id", id).put("conversationId", conversationId).put("text", text);
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
    net.execute(() -> enqueue(frame("claim").put("id", id).put("conversationId", conversationId)));
    return id;
  }

  public String closeConversation(String conversationId) {
    String id = UUID.randomUUID().toString();
    net.execute(() -> enqueue(frame("close").put("id", id).put("conversationId", conversationId)));
    return id;
  }

  public void status(String status) {
    String id = UUID.randomUUID().toString();
    net.execute(() -> enqueue(frame("status").put("id", id).put("status", status)));
  }

  /** Call on every keystroke: sends {@code typing:true} at most every 2 s (protocol §3). */
  public void typing(String conversationId, boolean typing) {
    net.execute(
        () -> {
          long now = clock.millis();
          Long last = typingSentAt.get(conversationId);
          if (typing && (last == null || now - last >= TYPING_REPEAT_MILLIS)) {
            typingSentAt.put(conversationId, now);
            transmit(frame("typing").put("conversationId", conversationId).put("typing", true));
          } else if (!typing) {
            stopTyping(conversationId);
          }
        });
  }

  private void stopTyping(String conversationId) {
    if (typingSentAt.remove(conversationId) != null) {
      transmit(frame("typing").put("conversationId", conversationId).put("typing", false));
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
            transmit(frame("read").put("conversationId", conversationId).put("seq", seq));
          }
        });
  }

  private boolean enqueue(ObjectNode frame) {
    try {
      outbox.add(frame);
    } catch (RuntimeException e) {
      LOG.error("could not store frame {} in the outbox", frame.path("id").asText(), e);
      workspace.refused(
          frame.path("conversationId").asText(null), frame.path("id").asText(), "outbox-failed",
          frame.path("text").asText(null));
      return false;
    }
    if (frame.hasNonNull("conversationId")) {
      workspace.changed(frame.get("conversationId").asText());
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
              resyncs.clear();
              ObjectNode hello = frame("hello").put("token", login.token());
              ObjectNode resume = hello.putObject("resume");
              workspace.resume().forEach(resume::put);
              transmit(hello);
            },
            net);
  }

  private void lost(WebSocket ws, String why) {
    if (ws != socket) {
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
    transmit(frame("ping").put("t", clock.millis()));
  }

  private void transmit(ObjectNode frame) {
    WebSocket ws = socket;
    if (ws == null) {
      return; // not connected: the outbox keeps what matters, the rest (typing, read) is moot
    }
    try {
      // One send at a time, as the JDK's WebSocket demands; bounded so a stuck socket counts as lost.
      ws.sendText(frame.toString(), true).get(SEND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      lost(ws, "send failed: " + e);
    }
  }

  // Frames from the server ----------------------------------------------------------------------------------

  private void onFrame(WebSocket ws, JsonNode frame) {
    if (ws != socket) {
      return;
    }
    unansweredPings = 0; // any frame proves the link is alive
    switch (frame.path("type").asText()) {
      case "welcome" -> onWelcome(frame);
      case "ack" -> onAck(frame);
      case "error" -> onError(frame);
      case "event" -> onEvent(frame);
      case "synced" -> onSynced(frame);
      case "typing" -> workspace.typing(frame);
      case "read" -> workspace.read(frame);
      case "queue" -> workspace.queue(frame);
      case "queueChanged" -> workspace.queueChanged(frame);
      case "visitor" -> workspace.visitor(frame);
      default -> {} // pong and anything newer than this client: ignore (protocol: clients ignore unknown types)
    }
  }

  private void onWelcome(JsonNode frame) {
    welcomed = true;
    backoff.reset();
    workspace.agentId(frame.path("agentId").asText(login.accountId()));
    workspace.agentStatus(frame.path("status").asText(null));
    frame.path("conversations").forEach(c -> workspace.follow(c.asText()));
    List<String> siteIds = new ArrayList<>();
    frame.path("sites").forEach(s -> {
      if (s.hasNonNull("siteId")) {
        siteIds.add(s.get("siteId").asText());
      }
    });
    sites = List.copyOf(siteIds);
    workspace.connection(ConnectionState.ONLINE, null);
    int resent = 0;
    for (ObjectNode pending : outbox.pending()) {
      transmit(pending);
      resent++;
    }
    LOG.info("welcomed as agent {}; resent {} outbox frames", frame.path("agentId").asText(), resent);
    // Replies may have changed while we were away; this is also the first read after log-in.
    refreshTeamQuickReplies();
  }

  // Team quick replies --------------------------------------------------------------------------------------

  /** On the net thread: hands one read of every site's team replies to the api thread. */
  private void refreshTeamQuickReplies() {
    if (!welcomed || stopped) {
      return; // the next welcome reads them
    }
    String token = login.token();
    List<String> siteIds = sites;
    try {
      api.execute(() -> readTeamQuickReplies(token, siteIds));
    } catch (RejectedExecutionException closing) {
      LOG.debug("team quick replies not read: the client is closing");
    }
  }

  /** On the api thread. A site that cannot be read keeps the replies held for it until the next refresh. */
  private void readTeamQuickReplies(String token, List<String> siteIds) {
    List<QuickReplies.Reply> held = workspace.teamQuickReplies();
    List<QuickReplies.Reply> all = new ArrayList<>();
    for (String siteId : siteIds) {
      try {
        all.addAll(auth.teamQuickReplies(token, siteId));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (Exception e) {
        LOG.warn("team quick replies of site {} not read, keeping the last ones: {}", siteId,
            e instanceof AuthApi.Refused refused ? refused.code() : e.toString());
        held.stream().filter(r -> siteId.equals(r.siteId())).forEach(all::add);
      }
    }
    workspace.teamQuickReplies(all);
  }

  private void onEvent(JsonNode frame) {
    String conversationId = frame.path("conversationId").asText();
    if (!workspace.event(frame)) {
      resync(conversationId,
          "event " + frame.path("seq").asLong() + " is not the entry held or acknowledged at that seq");
      return;
    }
    // Our message is placed by its event, not by its ack (protocol §4): only now has it left the outbox.
    String id = frame.path("id").asText(null);
    if (id != null
        && "message".equals(frame.path("kind").asText())
        && "agent".equals(frame.path("author").path("role").asText())
        && frame.path("author").path("id").asText("").equals(workspace.agentId())
        && outbox.remove(id)) {
      workspace.changed(conversationId);
    }
  }

  private void onSynced(JsonNode frame) {
    String conversationId = frame.path("conversationId").asText();
    Workspace.Synced synced = workspace.synced(frame);
    if (synced == Workspace.Synced.CONTRADICTS) {
      resync(conversationId, "synced.lastSeq " + frame.path("lastSeq").asLong() + " is below the highest seq held");
    } else if (synced == Workspace.Synced.REBUILT) {
      List<String> restored = restoreOwnMessages(conversationId);
      if (!welcomed) {
        return; // the welcome resends the outbox
      }
      // What is in the outbox goes again with its id, the restored (older) messages first: the answers can now be
      // checked against the whole history.
      List<ObjectNode> pending = outbox.pending().stream()
          .filter(f -> conversationId.equals(f.path("conversationId").asText()))
          .sorted(Comparator.comparing(f -> !restored.contains(f.path("id").asText())))
          .toList();
      pending.forEach(this::transmit);
    }
  }

  /**
   * Our messages the conversation showed before its rebuild and the rebuilt history lacks were acknowledged, then
   * lost by the server: they go back into the outbox with their ids (protocol §5). Returns their ids.
   */
  private List<String> restoreOwnMessages(String conversationId) {
    Map<String, TimelineEntry> shown = shownBeforeRebuild.remove(conversationId);
    List<String> restored = new ArrayList<>();
    if (shown == null) {
      return restored;
    }
    for (TimelineEntry e : shown.values()) {
      if (workspace.holdsMessage(conversationId, e.id()) || outbox.contains(e.id())) {
        continue;
      }
      LOG.warn("conversation {}: message {} is missing from the rebuilt history; sending it again",
          conversationId, e.id());
      try {
        outbox.add(frame("send").put("id", e.id()).put("conversationId", conversationId).put("text", e.text()));
        restored.add(e.id());
      } catch (RuntimeException failed) {
        LOG.error("could not store message {} in the outbox again", e.id(), failed);
        workspace.refused(conversationId, e.id(), "outbox-failed", e.text());
      }
    }
    if (!restored.isEmpty()) {
      workspace.changed(conversationId);
    }
    return restored;
  }

  /**
   * The server contradicted the history held of a conversation (protocol §5): forget it and ask for all of it
   * again. The outbox is not touched: a message leaves it only once its event is held, and whatever is still in it
   * is sent again (same id) when the rebuild is done.
   */
  private void resync(String conversationId, String why) {
    int count = resyncs.merge(conversationId, 1, Integer::sum);
    LOG.warn("conversation {}: {}; rebuilding it from seq 0", conversationId, why);
    Map<String, TimelineEntry> shown = shownBeforeRebuild.computeIfAbsent(conversationId, k -> new LinkedHashMap<>());
    workspace.ownMessages(conversationId).forEach(e -> shown.putIfAbsent(e.id(), e));
    workspace.discard(conversationId);
    if (count > MAX_RESYNCS_PER_CONNECTION) {
      lost(socket, "conversation " + conversationId + " contradicted itself " + count + " times");
      return;
    }
    transmit(frame("sync").put("conversationId", conversationId).put("afterSeq", 0));
  }

  private void onAck(JsonNode frame) {
    String id = frame.path("id").asText();
    ObjectNode original = findPending(id);
    String conversationId = frame.path("conversationId").asText(null);
    long seq = frame.path("seq").asLong();
    // Only a message's ack is checked: a claim repeated by the agent who holds the chat is acked with the
    // conversation's last seq rather than its joined entry's, so a claim's seq cannot be held against the history.
    if (original != null && "send".equals(original.path("type").asText()) && conversationId != null && seq > 0
        && workspace.ackContradicts(conversationId, seq, id)) {
      // The message stays in the outbox: it is sent again, same id, once the history is rebuilt.
      resync(conversationId, "ack " + id + " names seq " + seq + ", held for another entry");
      return;
    }
    if (original != null && !"send".equals(original.path("type").asText())) {
      outbox.remove(id); // a send leaves the outbox with its event (onEvent), everything else with its ack
    }
    if (original != null && "claim".equals(original.path("type").asText())) {
      workspace.follow(original.path("conversationId").asText());
    }
    if (original != null && "status".equals(original.path("type").asText())) {
      workspace.agentStatus(original.path("status").asText());
    }
    if (frame.hasNonNull("conversationId")) {
      workspace.changed(frame.get("conversationId").asText());
    }
  }

  private void onError(JsonNode frame) {
    String code = frame.path("code").asText();
    String ref = frame.path("ref").asText(null);
    if (ref == null && LOGGED_OUT_CODES.contains(code)) {
      LOG.info("the server ended the session ({}): {}", code, frame.path("message").asText());
      loggedOut(code);
      return;
    }
    if (ref == null) {
      LOG.warn("server error {}: {}", code, frame.path("message").asText());
      return;
    }
    ObjectNode original = findPending(ref);
    if (original == null) {
      return;
    }
    if (!retryable(frame)) {
      outbox.remove(ref);
      workspace.refused(
          original.path("conversationId").asText(null), ref, code,
          "send".equals(original.path("type").asText()) ? original.path("text").asText() : null);
    } else {
      // At least as long as the server asked for (retryAfterMs of rate-limited and overloaded). Not connected by
      // then (not-authenticated, a drop): the frame stays in the outbox and goes again after the next welcome.
      long pause = Math.max(RETRY_PAUSE_MILLIS, frame.path("retryAfterMs").asLong(0));
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

  /**
   * Whether the server says the refused frame may succeed if sent again (the error's {@code retry}, protocol §8).
   * A server older than the flag sends none: that counts as final, so nothing is resent forever; the person sees
   * the frame failed and can act.
   */
  static boolean retryable(JsonNode error) {
    JsonNode retry = error.get("retry");
    return retry != null && retry.isBoolean() && retry.booleanValue();
  }

  private ObjectNode findPending(String id) {
    return outbox.pending().stream().filter(f -> id.equals(f.path("id").asText())).findFirst().orElse(null);
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
    api.shutdownNow();
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

  private static ObjectNode frame(String type) {
    return Json.MAPPER.createObjectNode().put("type", type);
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
        try {
          JsonNode frame = Json.MAPPER.readTree(text);
          onNet(() -> onFrame(ws, frame));
        } catch (Exception e) {
          LOG.warn("unreadable frame from server ignored: {}", e.toString());
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
