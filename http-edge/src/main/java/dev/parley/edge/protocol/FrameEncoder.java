package dev.parley.edge.protocol;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.parley.core.common.Participant;
import dev.parley.core.conversation.Entry;
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
        entry.at());
  }
}
