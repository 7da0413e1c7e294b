package dev.parley.agent.protocol;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Every frame the server sends an agent (docs/PROTOCOL.md §4 and §10), as values. {@link FrameCodec} makes them from
 * the wire's JSON, so nothing past the network layer sees JSON. Fields that the protocol marks optional are null
 * (strings, boxed numbers) or empty (lists, maps) when absent; a frame the protocol says nothing about arrives as
 * {@link Unknown} and is ignored, as clients must.
 */
public sealed interface ServerFrame {

  /** Who wrote or did something: {@code role} is {@code visitor}, {@code agent} or {@code system}. */
  record Author(String role, String id) {}

  record SiteRole(String siteId, String role) {}

  record ReadMark(Author reader, long seq) {}

  /** A waiting conversation in a site's queue; {@code group} null: any agent; {@code position} may be absent. */
  record Waiting(String conversationId, String visitorId, Instant since, String group, Integer position) {}

  /** The agent's {@code welcome}. */
  record Welcome(String agentId, String displayName, List<SiteRole> sites, List<String> conversations, String status)
      implements ServerFrame {}

  /** {@code seq} null for an ack that names none (a {@code status}); {@code duplicate} false when absent. */
  record Ack(String id, String conversationId, Long seq, boolean duplicate) implements ServerFrame {}

  /** One timeline entry; {@code id}, {@code author}, {@code text} and {@code at} may be null. */
  record Event(String conversationId, long seq, String kind, String id, Author author, String text, Instant at)
      implements ServerFrame {}

  record Synced(
      String conversationId, long lastSeq, String status, String visitorId, String agentId, List<ReadMark> reads)
      implements ServerFrame {}

  record Typing(String conversationId, Author author, boolean typing) implements ServerFrame {}

  record Read(String conversationId, Author reader, long seq) implements ServerFrame {}

  record Queue(String siteId, List<Waiting> waiting, List<Waiting> missed) implements ServerFrame {}

  /** {@code missed} null when the reminder list did not change. */
  record QueueChanged(String siteId, List<String> removed, List<Waiting> added, int total, List<Waiting> missed)
      implements ServerFrame {}

  record Page(String url, String title, Instant at) {}

  record Device(String browser, String os, String type) {}

  record PastConversation(String conversationId, String status) {}

  /** What is known of a followed conversation's visitor; {@code online} and {@code verified} null when absent. */
  record Visitor(
      String conversationId,
      String siteId,
      String visitorId,
      Boolean online,
      String userId,
      String name,
      String email,
      Map<String, String> attributes,
      Boolean verified,
      String verifiedFields,
      Device device,
      String referrer,
      Map<String, String> utm,
      List<Page> pages,
      List<PastConversation> conversations)
      implements ServerFrame {}

  /**
   * An error answer. {@code retry} is the server's word on whether the same frame may succeed if sent again
   * (protocol §8); a server older than the flag sends none, which reads as {@code false}: final.
   */
  record Error(
      String code, boolean retry, String message, String ref, String conversationId, String field, Long retryAfterMs)
      implements ServerFrame {}

  record Pong(Long t, Instant serverTime) implements ServerFrame {}

  record Offer(String conversationId, String siteId, String visitorId, String group, Instant expiresAt)
      implements ServerFrame {}

  record OfferEnded(String conversationId, String siteId, String reason) implements ServerFrame {}

  record Position(String conversationId, int position) implements ServerFrame {}

  record Note(String conversationId, long noteSeq, Author author, String text, Instant at) implements ServerFrame {}

  record Availability(String siteId, String status, String welcomeMessage) implements ServerFrame {}

  /**
   * One visitor online now in a site's live list (protocol §12). Informing only, read tolerantly: any field may be
   * null; {@code pagesSeen} and {@code visits} 0 when absent.
   */
  record ListedVisitor(
      String visitorId,
      Instant since,
      String pageUrl,
      String pageTitle,
      Instant pageSince,
      int pagesSeen,
      String referrer,
      String searchKeyword,
      Device device,
      String country,
      String region,
      String city,
      int visits,
      String name,
      String chat,
      String conversationId) {}

  /** A site's whole live visitor list: replaces what the client holds. */
  record Visitors(String siteId, int total, List<ListedVisitor> visitors, Instant serverTime) implements ServerFrame {}

  /** What changed in a site's live list: drop {@code removed}, then add or replace {@code upserted}. */
  record VisitorsChanged(
      String siteId, int total, List<ListedVisitor> upserted, List<String> removed, Instant serverTime)
      implements ServerFrame {}

  /** How the visitor answered this agent's invitation ({@code id}: the {@code invite} frame's). */
  record InvitationAnswered(
      String id, String invitationId, String siteId, String visitorId, String answer, String conversationId)
      implements ServerFrame {}

  /** A frame of a type this client does not know (a newer server): ignored. */
  record Unknown(String type) implements ServerFrame {}
}
