package dev.parley.edge.protocol;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.parley.core.common.Participant;
import dev.parley.core.conversation.Conversation;
import dev.parley.core.conversation.Entry;
import dev.parley.core.visitor.Device;
import dev.parley.core.visitor.Identity;
import dev.parley.core.visitor.Visitor;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Writes {@link ServerFrame}s as JSON text, and maps domain values to their wire form. */
public final class FrameEncoder {

  private FrameEncoder() {}

  public static String encode(ServerFrame frame) {
    try {
      return Json.MAPPER.writeValueAsString(frame);
    } catch (JsonProcessingException e) {
      // Our own records always serialize; failing here is a bug, not bad input.
      throw new IllegalStateException("could not encode " + frame.getClass().getSimpleName(), e);
    }
  }

  public static ServerFrame.Author author(Participant p) {
    return new ServerFrame.Author(p.role().name().toLowerCase(Locale.ROOT), p.id());
  }

  public static ServerFrame.Event event(String conversationId, Entry entry) {
    return new ServerFrame.Event(
        conversationId,
        entry.seq(),
        entry.kind().name().toLowerCase(Locale.ROOT),
        entry.clientMessageId(),
        author(entry.author()),
        entry.text(),
        entry.at(),
        attachment(entry.attachment()));
  }

  private static ServerFrame.AttachmentView attachment(Conversation.Attachment a) {
    return a == null
        ? null
        : new ServerFrame.AttachmentView(
            a.fileId(), a.name(), a.sizeBytes(), a.mediaType(), a.width(), a.height(), a.thumbnail());
  }

  public static ServerFrame.VisitorProfile visitorProfile(String conversationId, Visitor.Profile p) {
    Identity identity = p.identity();
    Device device = p.device();
    List<ServerFrame.PastConversation> conversations = new ArrayList<>();
    if (p.currentConversationId() != null) {
      conversations.add(new ServerFrame.PastConversation(p.currentConversationId(), "open"));
    }
    for (int i = p.pastConversationIds().size() - 1; i >= 0; i--) {
      conversations.add(new ServerFrame.PastConversation(p.pastConversationIds().get(i), "closed"));
    }
    return new ServerFrame.VisitorProfile(
        conversationId,
        p.siteId(),
        p.visitorId(),
        p.online(),
        identity == null ? null : identity.userId(),
        identity == null ? null : identity.name(),
        identity == null ? null : identity.email(),
        identity == null ? null : identity.attributes(),
        identity == null ? null : identity.verified(),
        identity == null ? null : identity.verifiedFields(),
        device == null ? null : new ServerFrame.DeviceView(device.browser(), device.os(), device.type()),
        p.referrer(),
        p.utm(),
        p.pages().stream().map(v -> new ServerFrame.PageView(v.url(), v.title(), v.at())).toList(),
        conversations);
  }
}
