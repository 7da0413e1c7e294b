package dev.parley.edge.testing;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A client's copy of one site's queue, kept the way PROTOCOL.md §10 says: a {@code queue} frame replaces it,
 * a {@code queueChanged} frame removes ids and appends what was added. It checks that every change leaves as many
 * entries as the server's {@code total}, so a test fails if the server's changes do not add up.
 */
public final class QueueMirror {

  private final LinkedHashMap<String, JsonNode> waiting = new LinkedHashMap<>();
  private List<JsonNode> missed = List.of();

  /** Applies a {@code queue} or {@code queueChanged} frame; other frames are ignored. */
  public void apply(JsonNode frame) {
    String type = frame.path("type").asText();
    if (type.equals("queue")) {
      waiting.clear();
      frame.path("waiting").forEach(w -> waiting.put(w.path("conversationId").asText(), w));
      missed = list(frame.path("missed"));
    } else if (type.equals("queueChanged")) {
      frame.path("removed").forEach(id -> waiting.remove(id.asText()));
      for (JsonNode w : frame.path("added")) {
        if (waiting.putIfAbsent(w.path("conversationId").asText(), w) != null) {
          throw new AssertionError("queueChanged added a conversation already in the queue: " + frame);
        }
      }
      if (frame.has("missed")) {
        missed = list(frame.path("missed"));
      }
      if (waiting.size() != frame.path("total").asInt()) {
        throw new AssertionError("queue holds " + waiting.size() + " after " + frame);
      }
    }
  }

  private static List<JsonNode> list(JsonNode array) {
    List<JsonNode> out = new ArrayList<>();
    array.forEach(out::add);
    return List.copyOf(out);
  }

  /** Waiting conversation ids in queue order (position = index + 1). */
  public List<String> ids() {
    return List.copyOf(waiting.keySet());
  }

  public Map<String, JsonNode> entries() {
    return Map.copyOf(waiting);
  }

  public List<String> missedIds() {
    return missed.stream().map(m -> m.path("conversationId").asText()).toList();
  }

  public static boolean isQueueFrame(JsonNode frame) {
    String type = frame.path("type").asText();
    return type.equals("queue") || type.equals("queueChanged");
  }
}
