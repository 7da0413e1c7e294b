package dev.parley.edge.protocol;

import java.util.Map;

/** Frames a client sends, already validated by {@link FrameDecoder}. Wire format: docs/PROTOCOL.md. */
public sealed interface ClientFrame {

  /**
   * First frame of every connection. {@code resume}: conversation id to the last seq the client holds.
   * {@code observe}: an agent connection that only watches (the web console): it is never announced to the sites'
   * dispatchers, so it gets no offers and does not make the account available.
   */
  record Hello(String token, Map<String, Long> resume, boolean observe) implements ClientFrame {
    public Hello(String token, Map<String, Long> resume) {
      this(token, resume, false);
    }
  }

  /** {@code conversationId} may be null for a visitor: the visitor's open conversation, opened if need be. */
  /**
   * {@code uploadId}: the sender's complete upload sent with the message (PROTOCOL.md §13), or null; then
   * {@code text} may be empty and the file's name becomes the message's text. {@code libraryFileId}: instead, an
   * entry of the site's library of common files (agents only), or null. At most one of the two is set.
   */
  record Send(
      String id, String conversationId, String text, String group, String pageUrl, String uploadId,
      String libraryFileId)
      implements ClientFrame {
    /** A send without routing hints ({@code group}, {@code pageUrl}: used only when it opens a conversation). */
    public Send(String id, String conversationId, String text) {
      this(id, conversationId, text, null, null, null, null);
    }

    public Send(String id, String conversationId, String text, String group, String pageUrl) {
      this(id, conversationId, text, group, pageUrl, null, null);
    }

    /** True when the message carries a file (an upload or a library file). */
    public boolean hasFile() {
      return uploadId != null || libraryFileId != null;
    }
  }

  record Sync(String conversationId, long afterSeq) implements ClientFrame {}

  record Typing(String conversationId, boolean typing) implements ClientFrame {}

  record Read(String conversationId, long seq) implements ClientFrame {}

  record Claim(String id, String conversationId) implements ClientFrame {}

  record Close(String id, String conversationId) implements ClientFrame {}

  record SetStatus(String id, String status) implements ClientFrame {}

  record Ping(Long t) implements ClientFrame {}

  /** Visitors only: who the host site says the visitor is; {@code hash} signs {@code userId} where required. */
  /**
   * {@code hash} signs the user id alone; {@code signature} signs every field and {@code expiresAt} (Unix seconds,
   * optional). Either may be absent.
   */
  record Identify(
      String id,
      String userId,
      String name,
      String email,
      Map<String, String> attributes,
      String hash,
      Long expiresAt,
      String signature)
      implements ClientFrame {}

  /** Visitors only: the page the visitor is on (sent on every navigation). */
  record Page(String url, String title, String referrer) implements ClientFrame {}

  /** An agent passes on an offer (docs/PROTOCOL.md, Routing). */
  record Decline(String id, String conversationId) implements ClientFrame {}

  /** Exactly one of {@code toAgent} and {@code toGroup}; {@code note} is internal (agents only), may be null. */
  record Transfer(String id, String conversationId, String toAgent, String toGroup, String note)
      implements ClientFrame {}

  /** A visitor's satisfaction rating, 1 to 5, with an optional comment. */
  record Rate(String id, String conversationId, int score, String comment) implements ClientFrame {}

  /** An internal note: agents only, never shown to the visitor. */
  record Note(String id, String conversationId, String text) implements ClientFrame {}

  /**
   * Agents only: start (or change) watching the live list of visitors of a site, filtered on the server
   * (docs/PROTOCOL.md §12). Filter parts are null when absent; {@code limit} is 1..500; {@code lang} picks the
   * language of place names.
   */
  record WatchVisitors(
      String siteId, String text, String chat, Boolean returning, String country, int limit, String lang)
      implements ClientFrame {}

  /** Agents only: stop watching a site's visitor list. */
  record UnwatchVisitors(String siteId) implements ClientFrame {}

  /**
   * Agents only: invite a visitor online now to chat, with {@code text} shown in the visitor's widget
   * (docs/PROTOCOL.md §12, "Invitations").
   */
  record Invite(String id, String siteId, String visitorId, String text) implements ClientFrame {}

  /** Visitors only: {@code answer} is {@code accept} (after the visitor's first message) or {@code close}. */
  record AnswerInvitation(String id, String invitationId, String answer) implements ClientFrame {}
}
