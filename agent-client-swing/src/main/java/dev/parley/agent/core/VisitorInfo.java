package dev.parley.agent.core;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the server tells agents about a visitor (the {@code visitor} frame). Every field may be missing; missing
 * strings are null, missing collections empty, and unknown fields are ignored, so a newer server never breaks an
 * older client.
 */
public record VisitorInfo(
    String conversationId,
    String visitorId,
    String siteId,
    String name,
    String email,
    Map<String, String> attributes,
    Device device,
    String referrer,
    Map<String, String> utm,
    List<Page> pages,
    Boolean online,
    List<PastConversation> conversations) {

  public record Device(String browser, String os, String type) {}

  public record Page(String url, String title, String at) {}

  public record PastConversation(String conversationId, String openedAt, String status) {}

  /** Bounds what one frame can make us hold, whatever the server sends. */
  public static final int MAX_PAGES = 50;

  public static final int MAX_ENTRIES = 100;

  /** Only the ids, before the server has said anything more. */
  public static VisitorInfo unknown(String conversationId, String visitorId) {
    return new VisitorInfo(
        conversationId, visitorId, null, null, null, Map.of(), null, null, Map.of(), List.of(), null, List.of());
  }

  public boolean hasDetails() {
    return name != null
        || email != null
        || !attributes.isEmpty()
        || device != null
        || referrer != null
        || !utm.isEmpty()
        || !pages.isEmpty()
        || online != null
        || !conversations.isEmpty();
  }

  public static VisitorInfo parse(JsonNode frame) {
    JsonNode device = frame.path("device");
    List<Page> pages = new ArrayList<>();
    for (JsonNode p : frame.path("pages")) {
      if (pages.size() < MAX_PAGES && p.isObject()) {
        pages.add(new Page(text(p, "url"), text(p, "title"), text(p, "at")));
      }
    }
    List<PastConversation> past = new ArrayList<>();
    for (JsonNode c : frame.path("conversations")) {
      if (past.size() < MAX_ENTRIES && c.isObject()) {
        past.add(new PastConversation(text(c, "conversationId"), text(c, "openedAt"), text(c, "status")));
      }
    }
    JsonNode online = frame.path("online");
    return new VisitorInfo(
        text(frame, "conversationId"),
        text(frame, "visitorId"),
        text(frame, "siteId"),
        text(frame, "name"),
        text(frame, "email"),
        stringMap(frame.path("attributes")),
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
    return java.util.Collections.unmodifiableMap(map);
  }
}
