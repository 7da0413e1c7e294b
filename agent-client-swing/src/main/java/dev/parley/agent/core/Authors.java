package dev.parley.agent.core;

import java.util.function.Function;

/**
 * Who wrote or did a timeline entry, as the agent reads it: "Me" only for this agent's own account, another agent
 * by display name (a stand-in such as "Agent 1a2b3c4d" until the name is read), the visitor, or the system. The
 * protocol names authors by role and id only (§4); names come from {@link AgentNames}.
 */
public final class Authors {

  private Authors() {}

  /** The kind of author, for how a line is set apart. */
  public enum Kind { ME, AGENT, VISITOR, SYSTEM }

  public static Kind kind(TimelineEntry e, String myId) {
    if (e.fromVisitor()) {
      return Kind.VISITOR;
    }
    if ("agent".equals(e.authorRole())) {
      // A pending entry of the outbox is ours by construction; an event is ours when it names our account.
      return e.pending() || (myId != null && myId.equals(e.authorId())) ? Kind.ME : Kind.AGENT;
    }
    return Kind.SYSTEM;
  }

  /** The author's label in {@code texts}' language; {@code names} answers another agent's name or null. */
  public static String label(TimelineEntry e, String myId, Function<String, String> names, Texts texts) {
    return switch (kind(e, myId)) {
      case ME -> texts.get("conversation.agent");
      case VISITOR -> texts.get("conversation.visitor");
      case SYSTEM -> texts.get("conversation.system");
      case AGENT -> agent(e.authorId(), names, texts);
    };
  }

  /** Another agent by name, else "Agent" and the start of the id. */
  public static String agent(String agentId, Function<String, String> names, Texts texts) {
    String name = agentId == null ? null : names.apply(agentId);
    if (name != null && !name.isBlank()) {
      return name;
    }
    String shortId = agentId == null ? "?" : agentId.length() > 8 ? agentId.substring(0, 8) : agentId;
    return texts.get("conversation.otherAgent", shortId);
  }
}
