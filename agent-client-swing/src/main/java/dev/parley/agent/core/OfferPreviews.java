package dev.parley.agent.core;

import dev.parley.agent.protocol.ServerFrame;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * Offered conversations the connection follows only to preview them: a {@code sync} from seq 0 brings the visitor's
 * first message and name for the offer prompt. Their frames feed the {@link Workspace}'s offers, never its
 * conversations, until a claim of ours is acknowledged (then {@link #claimed} says to sync again from 0, since the
 * server does not replay a conversation the connection already follows, protocol §5). Net thread only.
 */
final class OfferPreviews {

  /** Previews per connection; each one is a subscription of the connection's 500 (protocol §5). */
  static final int MAX_PREVIEWS = 100;

  private final Workspace workspace;
  private final Set<String> previews = new LinkedHashSet<>();

  OfferPreviews(Workspace workspace) {
    this.workspace = workspace;
  }

  /** An offer came: true when the caller should send {@code sync} from 0 to preview it. */
  boolean start(String conversationId) {
    if (workspace.holds(conversationId) || previews.contains(conversationId) || previews.size() >= MAX_PREVIEWS) {
      return false;
    }
    previews.add(conversationId);
    return true;
  }

  /** Whether a frame about this conversation belongs to a preview (not a conversation the workspace holds). */
  boolean previewing(String conversationId) {
    return conversationId != null && previews.contains(conversationId) && !workspace.holds(conversationId);
  }

  /** A previewed conversation's event: its first visitor message goes to the offer. */
  void event(ServerFrame.Event event) {
    ServerFrame.Author author = event.author();
    if ("message".equals(event.kind()) && author != null && "visitor".equals(author.role())) {
      workspace.offerPreview(event.conversationId(), null, event.text());
    }
  }

  void visitor(ServerFrame.Visitor visitor) {
    workspace.offerPreview(visitor.conversationId(), visitor.name(), null);
  }

  /** Our claim was acknowledged: true when it was previewed, and its whole history must be asked for again. */
  boolean claimed(String conversationId) {
    return previews.remove(conversationId);
  }

  /** A new connection follows none of them. */
  void clear() {
    previews.clear();
  }
}
