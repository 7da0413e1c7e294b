package dev.parley.agent.protocol;

import java.util.Map;

/**
 * Every frame an agent's client sends (docs/PROTOCOL.md §3 and §10), as values; {@link FrameCodec#encode} writes
 * them. The {@link Request}s change something on the server and carry a client message id: those wait in the
 * outbox until answered.
 */
public sealed interface ClientFrame {

  /** A frame with an id that the server answers with {@code ack} or {@code error} ({@code ref} = the id). */
  sealed interface Request extends ClientFrame {
    String id();

    /** The conversation it is about, or null ({@code status}). */
    String conversationId();
  }

  /** {@code resume}: conversation id → highest contiguous seq held; {@code token} required for agents. */
  record Hello(String token, Map<String, Long> resume) implements ClientFrame {}

  record Send(String id, String conversationId, String text) implements Request {}

  record Claim(String id, String conversationId) implements Request {}

  record Close(String id, String conversationId) implements Request {}

  /** {@code status} is {@code online}, {@code away} or {@code offline}. */
  record Status(String id, String status) implements Request {
    @Override
    public String conversationId() {
      return null;
    }
  }

  record Decline(String id, String conversationId) implements Request {}

  /** Exactly one of {@code toAgent} and {@code toGroup}; {@code note} optional. */
  record Transfer(String id, String conversationId, String toAgent, String toGroup, String note) implements Request {}

  record Note(String id, String conversationId, String text) implements Request {}

  record Sync(String conversationId, long afterSeq) implements ClientFrame {}

  record Typing(String conversationId, boolean typing) implements ClientFrame {}

  record Read(String conversationId, long seq) implements ClientFrame {}

  /** {@code t} null: no echo asked for. */
  record Ping(Long t) implements ClientFrame {}

  /** Starts (or restarts) the site's live visitor list (protocol §12); {@code lang} names places, may be null. */
  record WatchVisitors(String siteId, int limit, String lang) implements ClientFrame {}

  record UnwatchVisitors(String siteId) implements ClientFrame {}

  /**
   * Invites a visitor online now (protocol §12). Not a {@link Request}: an invitation is worth sending only now, so it
   * never waits in the outbox for a later connection; its {@code ack} or {@code error} names {@code id}.
   */
  record Invite(String id, String siteId, String visitorId, String text) implements ClientFrame {}
}
