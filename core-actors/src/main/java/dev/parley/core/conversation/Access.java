package dev.parley.core.conversation;

import dev.parley.core.access.Permission;
import dev.parley.core.common.Caller;
import dev.parley.core.common.Rejection;
import dev.parley.core.conversation.Conversation.Status;
import java.util.Optional;

/**
 * Who may know of a conversation and who may see it: two plain functions of the state and the caller, applied
 * once per command by {@link ConversationBehavior} (its {@code siteChecked} and {@code readChecked}) rather than
 * in each handler. Anyone refused is told the conversation does not exist, so that ids of other tenants cannot be
 * probed (docs/SECURITY.md, "Roles and permissions").
 */
final class Access {

  private Access() {}

  /**
   * Who may know that a conversation exists, its status and who holds it (not its words): its own visitor, and
   * every agent of its site — so that a claim of a conversation another agent took first is told {@code
   * already-claimed}, and a message to another agent's conversation {@code not-assigned}.
   */
  static Optional<Rejection> site(ConversationState state, Caller caller) {
    if (state.status == Status.EMPTY || !caller.belongsTo(state.siteId)) {
      return Optional.of(Rejection.UNKNOWN_CONVERSATION);
    }
    if (caller.isVisitor()) {
      return caller.id().equals(state.visitorId) ? Optional.empty() : Optional.of(Rejection.UNKNOWN_CONVERSATION);
    }
    return caller.isAgent() ? Optional.empty() : Optional.of(Rejection.UNKNOWN_CONVERSATION);
  }

  /**
   * Who may see a conversation: its own visitor; agents of its site while it waits or when it is theirs; and the
   * site's supervisors, admins and owners always.
   */
  static Optional<Rejection> read(ConversationState state, Caller caller) {
    Optional<Rejection> site = site(state, caller);
    if (site.isPresent() || caller.isVisitor()) {
      return site;
    }
    boolean mine = caller.id().equals(state.agentId);
    if (mine || state.status == Status.WAITING || caller.may(state.siteId, Permission.READ_ALL_CONVERSATIONS)) {
      return Optional.empty();
    }
    return Optional.of(Rejection.UNKNOWN_CONVERSATION);
  }
}
