package dev.parley.agent.core;

import dev.parley.agent.protocol.ClientFrame;
import dev.parley.agent.protocol.ServerFrame;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The broken-history rule of protocol §5 for the {@link AgentClient}: events, {@code synced} frames and acks are
 * checked against the history held; a contradiction discards the conversation and asks for all of it again, and
 * once rebuilt, our messages that the server lost go back into the outbox with their ids. Owned by the client's
 * network thread, like everything it holds.
 */
final class HistoryChecks {

  private static final Logger LOG = LoggerFactory.getLogger(HistoryChecks.class);

  /**
   * A conversation that contradicts itself again after every rebuild is not rebuilt forever on one connection:
   * beyond this many resyncs the link is dropped, and the reconnect (with backoff) resumes it from seq 0.
   */
  static final int MAX_RESYNCS_PER_CONNECTION = 5;

  /** What the checks need of the connection. */
  interface Link {
    void transmit(ClientFrame frame);

    /** Drops the current connection; the client reconnects. */
    void drop(String why);

    boolean welcomed();
  }

  private final Workspace workspace;
  private final Outbox outbox;
  private final Link link;
  /** Conversation id → resyncs on the current connection, against {@link #MAX_RESYNCS_PER_CONNECTION}. */
  private final Map<String, Integer> resyncs = new HashMap<>();
  /**
   * Conversation id → our messages it showed before a rebuild, by id, until the rebuilt history is checked for
   * them; bounded by the conversation's own timeline limit.
   */
  private final Map<String, Map<String, TimelineEntry>> shownBeforeRebuild = new HashMap<>();

  HistoryChecks(Workspace workspace, Outbox outbox, Link link) {
    this.workspace = workspace;
    this.outbox = outbox;
    this.link = link;
  }

  /** A new connection: the resync count starts again. */
  void connected() {
    resyncs.clear();
  }

  /** Applies an event; our message's event takes it out of the outbox (the event, not the ack, places it). */
  void event(ServerFrame.Event event) {
    String conversationId = event.conversationId();
    if (!workspace.event(event)) {
      resync(conversationId, "event " + event.seq() + " is not the entry held or acknowledged at that seq");
      return;
    }
    ServerFrame.Author author = event.author();
    if (event.id() != null
        && "message".equals(event.kind())
        && author != null
        && "agent".equals(author.role())
        && author.id() != null
        && author.id().equals(workspace.agentId())
        && outbox.remove(event.id())) {
      workspace.changed(conversationId);
    }
  }

  void synced(ServerFrame.Synced synced) {
    String conversationId = synced.conversationId();
    Workspace.Synced result = workspace.synced(synced);
    if (result == Workspace.Synced.CONTRADICTS) {
      resync(conversationId, "synced.lastSeq " + synced.lastSeq() + " is below the highest seq held");
    } else if (result == Workspace.Synced.REBUILT) {
      List<String> restored = restoreOwnMessages(conversationId);
      if (!link.welcomed()) {
        return; // the welcome resends the outbox
      }
      // What is in the outbox goes again with its id, the restored (older) messages first: the answers can now be
      // checked against the whole history.
      outbox.pending().stream()
          .filter(f -> conversationId.equals(f.conversationId()))
          .sorted(Comparator.comparing(f -> !restored.contains(f.id())))
          .forEach(link::transmit);
    }
  }

  /**
   * Whether the ack of our message contradicts the history held; if so the conversation is being rebuilt and the
   * message stays in the outbox, to go again (same id) once the rebuild is done.
   */
  boolean ackContradicts(ClientFrame.Send original, ServerFrame.Ack ack) {
    // Only a message's ack is checked: a claim's seq names its joined entry, which says nothing of our messages.
    if (ack.conversationId() == null || ack.seq() == null || ack.seq() <= 0
        || !workspace.ackContradicts(ack.conversationId(), ack.seq(), original.id())) {
      return false;
    }
    resync(ack.conversationId(), "ack " + original.id() + " names seq " + ack.seq() + ", held for another entry");
    return true;
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
        outbox.add(new ClientFrame.Send(e.id(), conversationId, e.text()));
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
      link.drop("conversation " + conversationId + " contradicted itself " + count + " times");
      return;
    }
    link.transmit(new ClientFrame.Sync(conversationId, 0));
  }
}
