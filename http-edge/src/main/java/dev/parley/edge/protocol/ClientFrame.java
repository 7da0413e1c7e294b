package dev.parley.edge.protocol;

import java.util.Map;

/** Frames a client sends, already validated by {@link FrameDecoder}. Wire format: docs/PROTOCOL.md. */
public sealed interface ClientFrame {

  /** First frame of every connection. {@code resume}: conversation id to the last seq the client holds. */
  record Hello(String token, Map<String, Long> resume) implements ClientFrame {}

  /** {@code conversationId} may be null for a visitor: the visitor's open conversation, opened if need be. */
  record Send(String id, String conversationId, String text) implements ClientFrame {}

  record Sync(String conversationId, long afterSeq) implements ClientFrame {}

  record Typing(String conversationId, boolean typing) implements ClientFrame {}

  record Read(String conversationId, long seq) implements ClientFrame {}

  record Claim(String id, String conversationId) implements ClientFrame {}

  record Close(String id, String conversationId) implements ClientFrame {}

  record SetStatus(String id, String status) implements ClientFrame {}

  record Ping(Long t) implements ClientFrame {}

  /** Visitors only: who the host site says the visitor is; {@code hash} signs {@code userId} where required. */
  record Identify(
      String id, String userId, String name, String email, Map<String, String> attributes, String hash)
      implements ClientFrame {}

  /** Visitors only: the page the visitor is on (sent on every navigation). */
  record Page(String url, String title, String referrer) implements ClientFrame {}
}
