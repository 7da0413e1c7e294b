package dev.parley.agent.core;

import java.util.List;

/**
 * Told about every change of the {@link Workspace}. Called on the client's network thread: a Swing listener must
 * hand the work to the EDT ({@code SwingUtilities.invokeLater}) and must not block.
 */
public interface WorkspaceListener {

  default void connectionChanged(ConnectionState state, String detail) {}

  default void queueChanged(List<QueueEntry> waiting, boolean someoneNew) {}

  default void conversationChanged(ConversationView conversation) {}

  /** A visitor wrote something new (not a replay of history). */
  default void visitorMessage(ConversationView conversation, TimelineEntry message) {}

  /** Something the agent asked for was refused for good ({@code code} from the protocol's error table). */
  default void refused(String conversationId, String ref, String code) {}

  /** The sites' live visitor lists changed (protocol §12): every listed visitor, newest first, and the total. */
  default void visitorsChanged(java.util.List<VisitorsNow.Row> rows, int total) {}

  /** The invitation {@code ref} ({@link AgentClient#invite}'s id) is shown on the visitor's screen now. */
  default void invitationShown(String ref) {}

  /** A visitor answered an invitation of this agent: {@code answer} is accepted, closed or ignored. */
  default void invitationAnswered(String visitorId, String answer) {}

  /** The chats offered to this agent changed (a new offer, one ended, answered or expired): all open ones. */
  default void offersChanged(List<Offers.Offer> open) {}
}
