package dev.parley.agent.core;

import dev.parley.agent.protocol.ServerFrame;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The chats the server offers this agent now (protocol §10 {@code offer} / {@code offerEnded}), oldest first, with
 * what the client learnt of each before accepting: the visitor's name and first message (from a {@code sync} of the
 * offered conversation, see {@link AgentClient}). An offer is over when the server ends it, when the agent answers,
 * or when its {@code expiresAt} passes on this machine's clock. Thread-safe; no Swing.
 */
public final class Offers {

  /** More offers than this at once are not kept (a server offers one chat per free seat; 20 is a busy agent). */
  static final int MAX_OFFERS = 50;

  /** First messages are cut to this many characters for the prompt. */
  static final int MAX_PREVIEW_CHARS = 500;

  /** One offer; {@code visitorName} and {@code firstMessage} null until known, {@code group} null: any agent. */
  public record Offer(
      String conversationId,
      String siteId,
      String visitorId,
      String group,
      Instant expiresAt,
      String visitorName,
      String firstMessage) {

    /** Whole seconds left before it expires at {@code now} (rounded up; 0 once expired; -1 when unknown). */
    public long secondsLeft(Instant now) {
      if (expiresAt == null) {
        return -1;
      }
      long millis = Duration.between(now, expiresAt).toMillis();
      return millis <= 0 ? 0 : (millis + 999) / 1000;
    }

    boolean expired(Instant now) {
      return expiresAt != null && !now.isBefore(expiresAt);
    }

    /**
     * A readable stand-in for a visitor without a name: the same four digits for the same visitor id ("Visitor
     * #4821"), so an agent can tell two anonymous visitors apart and recognise one again.
     */
    public String standInNumber() {
      String id = visitorId == null ? conversationId : visitorId;
      return String.format("#%04d", Math.floorMod(id.hashCode(), 10_000));
    }
  }

  private final Clock clock;
  // Guarded by this.
  private final Map<String, Offer> offers = new LinkedHashMap<>();

  public Offers(Clock clock) {
    this.clock = clock;
  }

  /** The offers still open now, oldest first; expired ones are dropped on the way. */
  public synchronized List<Offer> open() {
    expire();
    return List.copyOf(offers.values());
  }

  public synchronized Offer get(String conversationId) {
    expire();
    return offers.get(conversationId);
  }

  /** A new offer (or the same one again: its expiry moves, what is known of it stays). False when not kept. */
  synchronized boolean offered(ServerFrame.Offer frame) {
    expire();
    Offer known = offers.get(frame.conversationId());
    if (known == null && offers.size() >= MAX_OFFERS) {
      return false;
    }
    offers.put(
        frame.conversationId(),
        new Offer(
            frame.conversationId(),
            frame.siteId(),
            frame.visitorId(),
            frame.group(),
            frame.expiresAt(),
            known == null ? null : known.visitorName(),
            known == null ? null : known.firstMessage()));
    return true;
  }

  /** The server ended it (taken, expired, declined, withdrawn). True when it was open here. */
  synchronized boolean ended(String conversationId) {
    return offers.remove(conversationId) != null;
  }

  /**
   * The agent accepts: the offer leaves the list and is answered, unless it is no longer open (expired, ended) —
   * then null and nothing is to be sent.
   */
  synchronized Offer accept(String conversationId) {
    expire();
    return offers.remove(conversationId);
  }

  /** The agent declines; null when it is no longer open. */
  synchronized Offer decline(String conversationId) {
    expire();
    return offers.remove(conversationId);
  }

  /** The first visitor message seen of an offered conversation; the lowest seq wins. True when it changed. */
  synchronized boolean firstMessage(String conversationId, String text) {
    Offer o = offers.get(conversationId);
    if (o == null || o.firstMessage() != null || text == null || text.isEmpty()) {
      return false;
    }
    String preview = text.length() > MAX_PREVIEW_CHARS ? text.substring(0, MAX_PREVIEW_CHARS) + "…" : text;
    offers.put(conversationId, withDetails(o, o.visitorName(), preview));
    return true;
  }

  /** The visitor's name from a {@code visitor} frame. True when it changed. */
  synchronized boolean visitorName(String conversationId, String name) {
    Offer o = offers.get(conversationId);
    if (o == null || name == null || name.isBlank() || name.equals(o.visitorName())) {
      return false;
    }
    offers.put(conversationId, withDetails(o, name, o.firstMessage()));
    return true;
  }

  /** Drops expired offers; true when any was dropped. */
  synchronized boolean expire() {
    Instant now = clock.instant();
    return offers.values().removeIf(o -> o.expired(now));
  }

  /** Forgets every offer (a new connection: the server does not offer them again, ROUTING.md). */
  synchronized void clear() {
    offers.clear();
  }

  private static Offer withDetails(Offer o, String name, String first) {
    return new Offer(o.conversationId(), o.siteId(), o.visitorId(), o.group(), o.expiresAt(), name, first);
  }

  /** Whole seconds left of {@code offer} on this client's clock (see {@link Offer#secondsLeft}). */
  public long secondsLeft(Offer offer) {
    return offer.secondsLeft(clock.instant());
  }
}
