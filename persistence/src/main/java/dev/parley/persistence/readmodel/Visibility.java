package dev.parley.persistence.readmodel;

/**
 * Which of a site's conversations a caller may read: all of them, or only those an agent took part in. The HTTP
 * edge decides which (from the caller's role, in one place); every query of {@link ConversationReads} applies it.
 */
public record Visibility(String onlyAgentId) {

  public static final Visibility ALL = new Visibility(null);

  public static Visibility ofAgent(String agentId) {
    return new Visibility(agentId);
  }

  public boolean all() {
    return onlyAgentId == null;
  }
}
