package dev.parley.agent.core;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What the server tells agents about a visitor (the {@code visitor} frame). Every field may be missing; missing
 * strings are null, missing collections empty, and unknown fields are ignored, so a newer server never breaks an
 * older client.
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

  public static VisitorInfo parse(JsonNode frame) {
    JsonNode device = frame.path("device");
    List<Page> pages = new ArrayList<>();
    for (JsonNode p : frame.path("pages")) {
      if (pages.size() < MAX_PAGES && p.isObject()) {
        pages.add(new Page(text(p, "url"), text(p, "title"), Workspace.parseTime(text(p, "at"))));
      }
    }
    List<PastConversation> past = new ArrayList<>();
    for (JsonNode c : frame.path("conversations")) {
      if (past.size() < MAX_ENTRIES && c.isObject()) {
        past.add(new PastConversation(text(c, "conversationId"), text(c, "status")));
      }
    }
    JsonNode online = frame.path("online");
    JsonNode verified = frame.path("verified");
    return new VisitorInfo(
        text(frame, "conversationId"),
        text(frame, "visitorId"),
        text(frame, "siteId"),
        text(frame, "userId"),
        text(frame, "name"),
        text(frame, "email"),
        stringMap(frame.path("attributes")),
        verified.isBoolean() ? verified.booleanValue() : null,
        text(frame, "verifiedFields"),
        device.isObject() ? new Device(text(device, "browser"), text(device, "os"), text(device, "type")) : null,
        text(frame, "referrer"),
        stringMap(frame.path("utm")),
        List.copyOf(pages),
        online.isBoolean() ? online.booleanValue() : null,
        List.copyOf(past));
  }

  private static String text(JsonNode node, String field) {
    JsonNode value = node.get(field);
    return value == null || value.isNull() || value.isContainerNode() ? null : value.asText();
  }

  private static Map<String, String> stringMap(JsonNode node) {
    Map<String, String> map = new LinkedHashMap<>();
    if (node.isObject()) {
      node.fields()
          .forEachRemaining(
              e -> {
                if (map.size() < MAX_ENTRIES && !e.getValue().isContainerNode() && !e.getValue().isNull()) {
                  map.put(e.getKey(), e.getValue().asText());
                }
              });
    }
    return Collections.unmodifiableMap(map);
  }
}
