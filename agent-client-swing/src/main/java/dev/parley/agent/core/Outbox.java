package dev.parley.agent.core;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.agent.protocol.ClientFrame;
import dev.parley.agent.protocol.Decoded;
import dev.parley.agent.protocol.FrameCodec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
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
 * deduplicates, so each is applied exactly once. The file holds each frame as it goes on the wire (written and read
 * by {@link FrameCodec}); callers see only {@link ClientFrame.Request} records.
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
  private final Map<String, ClientFrame.Request> pending = new LinkedHashMap<>();

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
        Decoded<ClientFrame.Request> decoded = FrameCodec.decodeRequest(frame);
        if (decoded instanceof Decoded.Ok<ClientFrame.Request> ok) {
          pending.put(ok.frame().id(), ok.frame());
        } else if (decoded instanceof Decoded.Malformed<ClientFrame.Request> bad) {
          LOG.error("outbox {}: dropped an entry that is no request ({})", file.getFileName(), bad.reason());
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
  public synchronized void add(ClientFrame.Request frame) {
    String id = frame.id();
    if (id == null || id.isEmpty()) {
      throw new IllegalArgumentException("an outbox frame needs an id");
    }
    if (pending.size() >= MAX_OUTBOX_MESSAGES && !pending.containsKey(id)) {
      throw new FullException();
    }
    pending.put(id, frame);
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

  /** In send order. */
  public synchronized List<ClientFrame.Request> pending() {
    return List.copyOf(pending.values());
  }

  /** The unanswered request with this id, or null. */
  public synchronized ClientFrame.Request get(String id) {
    return pending.get(id);
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
    pending.values().forEach(f -> list.add(FrameCodec.toJson(f)));
    try {
      AtomicFiles.write(file, Json.MAPPER.writeValueAsBytes(root));
    } catch (IOException e) {
      throw new UncheckedIOException("could not write outbox " + file, e);
    }
  }
}
