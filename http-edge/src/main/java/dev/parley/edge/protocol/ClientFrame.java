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
}
