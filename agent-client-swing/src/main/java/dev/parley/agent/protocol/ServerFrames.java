package dev.parley.agent.protocol;

import dev.parley.agent.protocol.ServerFrame.Author;

/** The reader of each server frame type (docs/PROTOCOL.md §4, §10): which fields the client needs, of which kind. */
final class ServerFrames {

  private ServerFrames() {}

  static ServerFrame read(String type, FrameFields f) {
    return switch (type) {
      case "welcome" -> new ServerFrame.Welcome(
          f.optionalText("agentId"), f.optionalText("displayName"), f.objects("sites", ServerFrames::siteRole),
          f.texts("conversations"), f.optionalText("status"));
      case "ack" -> new ServerFrame.Ack(
          f.id("id"), f.optionalText("conversationId"), f.optionalInteger("seq"),
          Boolean.TRUE.equals(f.optionalBool("duplicate")));
      case "event" -> new ServerFrame.Event(
          f.text("conversationId"), f.atLeast("seq", 1), f.text("kind"), f.optionalText("id"),
          f.object("author", ServerFrames::author), f.optionalText("text"), f.time("at"));
      case "synced" -> new ServerFrame.Synced(
          f.text("conversationId"), f.atLeast("lastSeq", 0), f.optionalText("status"), f.optionalText("visitorId"),
          f.optionalText("agentId"), f.objects("reads", ServerFrames::readMark));
      case "typing" -> new ServerFrame.Typing(
          f.text("conversationId"), f.object("author", ServerFrames::author), f.bool("typing"));
      case "read" -> new ServerFrame.Read(
          f.text("conversationId"), f.requiredObject("reader", ServerFrames::author), f.atLeast("seq", 0));
      case "queue" -> new ServerFrame.Queue(
          f.text("siteId"), f.objects("waiting", ServerFrames::waiting), f.objects("missed", ServerFrames::waiting));
      case "queueChanged" -> new ServerFrame.QueueChanged(
          f.text("siteId"), f.texts("removed"), f.objects("added", ServerFrames::waiting), f.smallInteger("total"),
          f.optionalObjects("missed", ServerFrames::waiting));
      case "visitor" -> visitor(f);
      case "error" -> new ServerFrame.Error(
          f.text("code"), Boolean.TRUE.equals(f.optionalBool("retry")), f.optionalText("message"),
          f.optionalText("ref"), f.optionalText("conversationId"), f.optionalText("field"),
          f.optionalInteger("retryAfterMs"));
      case "pong" -> new ServerFrame.Pong(f.optionalInteger("t"), f.time("serverTime"));
      case "offer" -> new ServerFrame.Offer(
          f.text("conversationId"), f.optionalText("siteId"), f.optionalText("visitorId"), f.optionalText("group"),
          f.time("expiresAt"));
      case "offerEnded" -> new ServerFrame.OfferEnded(
          f.text("conversationId"), f.optionalText("siteId"), f.optionalText("reason"));
      case "position" -> new ServerFrame.Position(f.text("conversationId"), f.smallInteger("position"));
      case "note" -> new ServerFrame.Note(
          f.text("conversationId"), f.atLeast("noteSeq", 1), f.object("author", ServerFrames::author),
          f.optionalText("text"), f.time("at"));
      case "availability" -> new ServerFrame.Availability(
          f.text("siteId"), f.text("status"), f.optionalText("welcomeMessage"));
      case "visitors" -> new ServerFrame.Visitors(
          f.text("siteId"), f.smallInteger("total"), f.tolerantObjects("visitors", ServerFrames::listedVisitor),
          f.tolerantTime("serverTime"));
      case "visitorsChanged" -> new ServerFrame.VisitorsChanged(
          f.text("siteId"), f.smallInteger("total"), f.tolerantObjects("upserted", ServerFrames::listedVisitor),
          f.texts("removed"), f.tolerantTime("serverTime"));
      case "invitationAnswered" -> new ServerFrame.InvitationAnswered(
          f.optionalText("id"), f.text("invitationId"), f.optionalText("siteId"), f.text("visitorId"),
          f.text("answer"), f.optionalText("conversationId"));
      default -> new ServerFrame.Unknown(type);
    };
  }

  private static Author author(FrameFields f) {
    return new Author(f.optionalText("role"), f.optionalText("id"));
  }

  private static ServerFrame.SiteRole siteRole(FrameFields f) {
    return new ServerFrame.SiteRole(f.text("siteId"), f.optionalText("role"));
  }

  private static ServerFrame.ReadMark readMark(FrameFields f) {
    return new ServerFrame.ReadMark(f.requiredObject("reader", ServerFrames::author), f.atLeast("seq", 0));
  }

  private static ServerFrame.Waiting waiting(FrameFields f) {
    return new ServerFrame.Waiting(
        f.text("conversationId"), f.optionalText("visitorId"), f.time("since"), f.optionalText("group"),
        f.optionalSmallInteger("position"));
  }

  /** Informs only, like the visitor profile: read tolerantly. */
  private static ServerFrame.ListedVisitor listedVisitor(FrameFields f) {
    return new ServerFrame.ListedVisitor(
        f.tolerantText("visitorId"),
        f.tolerantTime("since"),
        f.tolerantText("pageUrl"),
        f.tolerantText("pageTitle"),
        f.tolerantTime("pageSince"),
        tolerantCount(f.tolerantText("pagesSeen")),
        f.tolerantText("referrer"),
        f.tolerantText("searchKeyword"),
        f.tolerantObject("device", d -> new ServerFrame.Device(
            d.tolerantText("browser"), d.tolerantText("os"), d.tolerantText("type"))),
        f.tolerantText("country"),
        f.tolerantText("region"),
        f.tolerantText("city"),
        tolerantCount(f.tolerantText("visits")),
        f.tolerantText("name"),
        f.tolerantText("chat"),
        f.tolerantText("conversationId"));
  }

  private static int tolerantCount(String text) {
    try {
      return text == null ? 0 : Math.max(0, Integer.parseInt(text));
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  /** Informs only: every field but the conversation is read tolerantly (a field of the wrong kind is absent). */
  private static ServerFrame.Visitor visitor(FrameFields f) {
    return new ServerFrame.Visitor(
        f.text("conversationId"),
        f.tolerantText("siteId"),
        f.tolerantText("visitorId"),
        f.tolerantBool("online"),
        f.tolerantText("userId"),
        f.tolerantText("name"),
        f.tolerantText("email"),
        f.stringMap("attributes"),
        f.tolerantBool("verified"),
        f.tolerantText("verifiedFields"),
        f.tolerantObject("device", d -> new ServerFrame.Device(
            d.tolerantText("browser"), d.tolerantText("os"), d.tolerantText("type"))),
        f.tolerantText("referrer"),
        f.stringMap("utm"),
        f.tolerantObjects("pages", p -> new ServerFrame.Page(
            p.tolerantText("url"), p.tolerantText("title"), p.tolerantTime("at"))),
        f.tolerantObjects("conversations", c -> new ServerFrame.PastConversation(
            c.tolerantText("conversationId"), c.tolerantText("status"))));
  }
}
