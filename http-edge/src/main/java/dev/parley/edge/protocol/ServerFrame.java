package dev.parley.edge.protocol;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.annotation.JsonTypeName;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Frames the server sends. Serialized by {@link FrameEncoder} with their {@code type}; absent (null) fields are
 * left out. Wire format: docs/PROTOCOL.md.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, include = JsonTypeInfo.As.PROPERTY, property = "type")
@JsonInclude(JsonInclude.Include.NON_NULL)
public sealed interface ServerFrame {

  record Author(String role, String id) {}

  record SiteRole(String siteId, String role) {}

  record ReadMarkView(Author reader, long seq) {}

  /** {@code group} null: any agent; {@code position}: 1 is next (added with routing). */
  record WaitingView(String conversationId, String visitorId, Instant since, String group, Integer position) {}

  @JsonTypeName("welcome")
  record VisitorWelcome(
      String role,
      String siteId,
      String visitorId,
      String token,
      Instant tokenExpiresAt,
      String conversationId,
      long heartbeatMs,
      long idleTimeoutMs,
      int maxFrameBytes,
      int maxTextChars,
      Instant serverTime)
      implements ServerFrame {}

  @JsonTypeName("welcome")
  record AgentWelcome(
      String role,
      String agentId,
      String displayName,
      List<SiteRole> sites,
      List<String> conversations,
      String status,
      long heartbeatMs,
      long idleTimeoutMs,
      int maxFrameBytes,
      int maxTextChars,
      Instant serverTime)
      implements ServerFrame {}

  @JsonTypeName("ack")
  record Ack(String id, String conversationId, Long seq, Boolean duplicate) implements ServerFrame {}

  /** {@code attachment}: the file of a message that carries one (PROTOCOL.md §13), else absent. */
  @JsonTypeName("event")
  record Event(
      String conversationId,
      long seq,
      String kind,
      String id,
      Author author,
      String text,
      Instant at,
      AttachmentView attachment)
      implements ServerFrame {
    /** An event without a file. */
    public Event(String conversationId, long seq, String kind, String id, Author author, String text, Instant at) {
      this(conversationId, seq, kind, id, author, text, at, null);
    }
  }

  /**
   * A message's file as clients see it: no link (links are per person and expire; ask
   * {@code GET /files/FILE_ID/link}), the name as text, the size in bytes, the type found in the content.
   */
  record AttachmentView(
      String fileId, String name, long size, String type, Integer width, Integer height, boolean thumbnail) {}

  @JsonTypeName("synced")
  record Synced(
      String conversationId,
      long lastSeq,
      String status,
      String visitorId,
      String agentId,
      List<ReadMarkView> reads)
      implements ServerFrame {}

  @JsonTypeName("typing")
  record Typing(String conversationId, Author author, boolean typing) implements ServerFrame {}

  @JsonTypeName("read")
  record Read(String conversationId, Author reader, long seq) implements ServerFrame {}

  @JsonTypeName("queue")
  /** {@code missed}: conversations closed before any agent joined, newest first (added with routing). */
  record Queue(String siteId, List<WaitingView> waiting, List<WaitingView> missed) implements ServerFrame {}

  @JsonTypeName("queueChanged")
  /**
   * What changed in a site's queue since the last {@code queue} or {@code queueChanged} frame: {@code removed}
   * ids first, then {@code added} entries appended at the end in order; {@code missed} only when it changed.
   */
  record QueueChanged(
      String siteId, List<String> removed, List<WaitingView> added, int total, List<WaitingView> missed)
      implements ServerFrame {}

  @JsonTypeName("error")
  /**
   * An error answer. {@code retry} says whether the same frame, sent again unchanged (same id), may succeed; it
   * comes from {@link ErrorCode#retryable()}, the one table of it. {@code retryAfterMs} is set by admission control
   * ({@code rate-limited}, {@code overloaded}): try again (with the same id) after that long.
   */
  record Error(
      String code, boolean retry, String message, String ref, String conversationId, String field, Long retryAfterMs)
      implements ServerFrame {

    public static Error of(ErrorCode code, String message) {
      return new Error(code.code(), code.retryable(), message, null, null, null, null);
    }

    public Error withRef(String ref) {
      return new Error(code, retry, message, ref, conversationId, field, retryAfterMs);
    }

    public Error withConversation(String id) {
      return new Error(code, retry, message, ref, id, field, retryAfterMs);
    }

    public Error withField(String name) {
      return new Error(code, retry, message, ref, conversationId, name, retryAfterMs);
    }

    public Error withRetryAfter(java.time.Duration wait) {
      return new Error(code, retry, message, ref, conversationId, field, Math.max(1, wait.toMillis()));
    }
  }

  record PageView(String url, String title, Instant at) {}

  record DeviceView(String browser, String os, String type) {}

  record PastConversation(String conversationId, String status) {}

  /** Agents only: what is known of the visitor of a followed conversation, sent on follow and on every change. */
  @JsonTypeName("visitor")
  record VisitorProfile(
      String conversationId,
      String siteId,
      String visitorId,
      boolean online,
      String userId,
      String name,
      String email,
      Map<String, String> attributes,
      Boolean verified,
      /** What the signature covered: {@code all} fields, or the user {@code id} only; absent when unverified. */
      String verifiedFields,
      DeviceView device,
      String referrer,
      Map<String, String> utm,
      List<PageView> pages,
      List<PastConversation> conversations)
      implements ServerFrame {}

  // Routing (docs/PROTOCOL.md, "Routing") ---------------------------------------------------------------------

  @JsonTypeName("offer")
  record Offer(String conversationId, String siteId, String visitorId, String group, Instant expiresAt)
      implements ServerFrame {}

  @JsonTypeName("offerEnded")
  record OfferEnded(String conversationId, String siteId, String reason) implements ServerFrame {}

  @JsonTypeName("position")
  record Position(String conversationId, int position) implements ServerFrame {}

  /** An internal note, to agents only; numbered by {@code noteSeq}, apart from the timeline's seq. */
  @JsonTypeName("note")
  record Note(String conversationId, long noteSeq, Author author, String text, Instant at) implements ServerFrame {}

  @JsonTypeName("availability")
  record Availability(String siteId, String status, String welcomeMessage) implements ServerFrame {}

  // Visitors now (docs/PROTOCOL.md §12) --------------------------------------------------------------------------

  /**
   * One visitor online now. Place names are in the watcher's language where the data has it, else English.
   * {@code chat}: {@code none}, {@code waiting} or {@code chatting}.
   */
  record VisitorNowView(
      String visitorId,
      Instant since,
      String pageUrl,
      String pageTitle,
      Instant pageSince,
      int pagesSeen,
      String referrer,
      String searchKeyword,
      Map<String, String> utm,
      DeviceView device,
      String countryCode,
      String country,
      String region,
      String city,
      String network,
      int visits,
      boolean returning,
      String name,
      String chat,
      String conversationId) {}

  /** The whole list a watcher asked for: the {@code visitors} shown (newest arrivals first) and how many match. */
  @JsonTypeName("visitors")
  record Visitors(String siteId, int total, List<VisitorNowView> visitors, Instant serverTime)
      implements ServerFrame {}

  /** What changed since the last {@code visitors} or {@code visitorsChanged}: drop {@code removed}, then upsert. */
  @JsonTypeName("visitorsChanged")
  record VisitorsChanged(
      String siteId, int total, List<VisitorNowView> upserted, List<String> removed, Instant serverTime)
      implements ServerFrame {}

  /**
   * To a visitor: an agent, or the site by an automatic rule ({@code automatic} true, no agent id), invites them to
   * chat (docs/PROTOCOL.md §12, "Invitations").
   */
  @JsonTypeName("invitation")
  record Invitation(String invitationId, InvitingAgent agent, String text, Boolean automatic, Instant serverTime)
      implements ServerFrame {}

  /** Who invites: {@code id} is null for an automatic invitation, whose {@code name} is the rule's sender. */
  record InvitingAgent(String id, String name, String initials) {}

  /** To a visitor: stop showing this invitation ({@code answer}: accepted, closed or ignored). */
  @JsonTypeName("invitationEnded")
  record InvitationEnded(String invitationId, String answer) implements ServerFrame {}

  /** To the inviting agent: how the visitor answered; {@code id} is the agent's {@code invite} frame id. */
  @JsonTypeName("invitationAnswered")
  record InvitationAnswered(
      String id, String invitationId, String siteId, String visitorId, String answer, String conversationId)
      implements ServerFrame {}

  @JsonTypeName("pong")
  record Pong(Long t, Instant serverTime) implements ServerFrame {}
}
