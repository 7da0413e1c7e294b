package dev.parley.agent.core;

import dev.parley.agent.protocol.ServerFrame;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What the server tells agents about a visitor (the {@code visitor} frame). Every field may be missing; missing
 * strings are null, missing collections empty (the codec ignores unknown fields, so a newer server never breaks an
 * older client).
 */
public record VisitorInfo(
    String conversationId,
    String visitorId,
    String siteId,
    String userId,
    String name,
    String email,
    Map<String, String> attributes,
    Boolean verified,
    /** What the site's signature covered: "all", or "id" (the name, e-mail and attributes are unverified). */
    String verifiedFields,
    Device device,
    String referrer,
    Map<String, String> utm,
    List<Page> pages,
    Boolean online,
    List<PastConversation> conversations) {

  public record Device(String browser, String os, String type) {}

  /** {@code at} is null when the server sent no readable time. */
  public record Page(String url, String title, Instant at) {}

  public record PastConversation(String conversationId, String status) {}

  /** Bounds what one frame can make us hold, whatever the server sends. */
  public static final int MAX_PAGES = 50;

  public static final int MAX_ENTRIES = 100;

  /** Only the ids, before the server has said anything more. */
  public static VisitorInfo unknown(String conversationId, String visitorId) {
    return new VisitorInfo(
        conversationId, visitorId, null, null, null, null, Map.of(), null, null, null, null, Map.of(), List.of(),
        null, List.of());
  }

  public boolean hasDetails() {
    return userId != null
        || name != null
        || email != null
        || !attributes.isEmpty()
        || device != null
        || referrer != null
        || !utm.isEmpty()
        || !pages.isEmpty()
        || online != null
        || !conversations.isEmpty();
  }

  /** The host site identified the visitor (signed or not); {@link #verified()} tells which. */
  public boolean identified() {
    return userId != null || name != null || email != null || verified != null;
  }

  /** The visitor's other conversations: all the server listed but the one this frame is about. */
  public List<PastConversation> earlierConversations() {
    return conversations.stream().filter(c -> !Objects.equals(c.conversationId(), conversationId)).toList();
  }

  /** The {@code visitor} frame as the screen shows it, bounded by {@link #MAX_PAGES} and {@link #MAX_ENTRIES}. */
  public static VisitorInfo of(ServerFrame.Visitor frame) {
    List<Page> pages = frame.pages().stream()
        .limit(MAX_PAGES)
        .map(p -> new Page(p.url(), p.title(), p.at()))
        .toList();
    List<PastConversation> past = frame.conversations().stream()
        .limit(MAX_ENTRIES)
        .map(c -> new PastConversation(c.conversationId(), c.status()))
        .toList();
    ServerFrame.Device device = frame.device();
    return new VisitorInfo(
        frame.conversationId(),
        frame.visitorId(),
        frame.siteId(),
        frame.userId(),
        frame.name(),
        frame.email(),
        bounded(frame.attributes()),
        frame.verified(),
        frame.verifiedFields(),
        device == null ? null : new Device(device.browser(), device.os(), device.type()),
        frame.referrer(),
        bounded(frame.utm()),
        pages,
        frame.online(),
        past);
  }

  private static Map<String, String> bounded(Map<String, String> map) {
    Map<String, String> copy = new LinkedHashMap<>();
    map.entrySet().stream().limit(MAX_ENTRIES).forEach(e -> copy.put(e.getKey(), e.getValue()));
    return Collections.unmodifiableMap(copy);
  }
}
