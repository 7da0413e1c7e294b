package dev.parley.agent.core;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Client frames that change something ({@code send}, {@code claim}, {@code close}, {@code status}) and have not
 * been answered yet, kept in a file so that they survive a dropped network, a crash or a kill; a {@code send} counts
 * as answered once its event is held, which is what places it in the timeline. A frame is on disk (fsync'd) before
 * it goes on the wire; after reconnecting or restarting, every frame is resent with its original id and the server
 * deduplicates, so each is applied exactly once.
 */
public final class Outbox {

  private static final Logger LOG = LoggerFactory.getLogger(Outbox.class);

  /** Beyond this many unanswered frames, new ones are refused rather than letting the file grow without bound. */
  public static final int MAX_OUTBOX_MESSAGES = 500;

  /** Thrown when the outbox is full; the UI shows the message as failed. */
  public static final class FullException extends RuntimeException {
    FullException() {
      super("outbox holds " + MAX_OUTBOX_MESSAGES + " unanswered frames");
    }
  }

  private final Path file;
  // Guarded by this; insertion order is send order, which resending keeps.
  private final Map<String, ObjectNode> pending = new LinkedHashMap<>();

  public Outbox(Path file) {
    this.file = file;
    load();
  }

  private void load() {
    if (!Files.exists(file)) {
      return;
    }
    try {
      JsonNode root = Json.MAPPER.readTree(file.toFile());
      for (JsonNode frame : root.path("pending")) {
        if (frame instanceof ObjectNode object && object.hasNonNull("id")) {
          pending.put(object.get("id").asText(), object);
        }
      }
      LOG.info("outbox {} holds {} unanswered frames", file.getFileName(), pending.size());
    } catch (IOException e) {
      // A corrupt file cannot be half-written (writes are atomic), so this is outside damage: keep a copy.
      LOG.error("outbox {} is unreadable; moving it aside", file, e);
      try {
        Files.move(file, file.resolveSibling(file.getFileName() + ".corrupt-" + System.currentTimeMillis()));
      } catch (IOException moveFailed) {
        LOG.error("could not move aside {}", file, moveFailed);
      }
    }
  }

  /** Stores the frame durably; returns only once it is on disk. */
  public synchronized void add(ObjectNode frame) {
    String id = frame.path("id").asText();
    if (id.isEmpty()) {
      throw new IllegalArgumentException("an outbox frame needs an id");
    }
    if (pending.size() >= MAX_OUTBOX_MESSAGES && !pending.containsKey(id)) {
      throw new FullException();
    }
    pending.put(id, frame.deepCopy());
    persist();
  }

  /** Drops an answered frame; true if it was there. */
  public synchronized boolean remove(String id) {
    if (pending.remove(id) == null) {
      return false;
    }
    persist();
    return true;
  }

  public synchronized List<ObjectNode> pending() {
    List<ObjectNode> copy = new ArrayList<>();
    pending.values().forEach(f -> copy.add(f.deepCopy()));
    return copy;
  }

  public synchronized boolean contains(String id) {
    return pending.containsKey(id);
  }

  public synchronized int size() {
    return pending.size();
  }

  private void persist() {
    ObjectNode root = Json.MAPPER.createObjectNode();
    ArrayNode list = root.putArray("pending");
    pending.values().forEach(list::add);
    try {
      AtomicFiles.write(file, Json.MAPPER.writeValueAsBytes(root));
    } catch (IOException e) {
      throw new UncheckedIOException("could not write outbox " + file, e);
    }
  }
}
