package dev.parley.agent.protocol;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.agent.protocol.FrameFields.Bad;

/**
 * The wire format of the agent's frames (docs/PROTOCOL.md): server frames from JSON text into {@link ServerFrame}
 * records, client frames from {@link ClientFrame} records into JSON text, and the outbox's stored requests back
 * into records. The only place of the client that knows the frames' JSON shape.
 *
 * <p>Decoding follows the protocol's rules for clients: unknown fields are ignored and an unknown {@code type} is
 * an {@link ServerFrame.Unknown}; a frame that is not JSON, has no {@code type}, lacks a field the client needs, or
 * has a field of the wrong kind is {@link Decoded.Malformed}. Times that cannot be read are null (shown as unknown)
 * rather than failing the frame.
 */
public final class FrameCodec {

  private static final ObjectMapper MAPPER =
      new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

  private FrameCodec() {}

  // Server frames ---------------------------------------------------------------------------------------------

  /** One server frame from the text of one WebSocket message. Never throws. */
  public static Decoded<ServerFrame> decode(String text) {
    JsonNode root;
    try {
      root = MAPPER.readTree(text);
    } catch (JacksonException e) {
      return new Decoded.Malformed<>("not JSON: " + e.getOriginalMessage());
    } catch (RuntimeException e) {
      return new Decoded.Malformed<>("not readable: " + e.getClass().getSimpleName());
    }
    if (root == null || !root.isObject()) {
      return new Decoded.Malformed<>("not a JSON object");
    }
    JsonNode type = root.get("type");
    if (type == null || !type.isTextual()) {
      return new Decoded.Malformed<>("no type");
    }
    try {
      return new Decoded.Ok<>(ServerFrames.read(type.asText(), new FrameFields(root, type.asText())));
    } catch (Bad bad) {
      return new Decoded.Malformed<>(bad.getMessage());
    }
  }

  // Client frames ---------------------------------------------------------------------------------------------

  /** The frame as the JSON text that goes on the wire; absent (null) optional fields are left out. */
  public static String encode(ClientFrame frame) {
    return toJson(frame).toString();
  }

  /** The frame as a JSON object, for the outbox file. */
  public static ObjectNode toJson(ClientFrame frame) {
    ObjectNode o = MAPPER.createObjectNode();
    // Java 17 has no pattern switch: one instanceof per record, the sealed interface lists them all.
    if (frame instanceof ClientFrame.Hello h) {
      o.put("type", "hello");
      putIfSet(o, "token", h.token());
      if (h.resume() != null) {
        ObjectNode resume = o.putObject("resume");
        h.resume().forEach(resume::put);
      }
    } else if (frame instanceof ClientFrame.Send s) {
      o.put("type", "send").put("id", s.id());
      putIfSet(o, "conversationId", s.conversationId());
      o.put("text", s.text());
    } else if (frame instanceof ClientFrame.Claim c) {
      o.put("type", "claim").put("id", c.id()).put("conversationId", c.conversationId());
    } else if (frame instanceof ClientFrame.Close c) {
      o.put("type", "close").put("id", c.id()).put("conversationId", c.conversationId());
    } else if (frame instanceof ClientFrame.Status s) {
      o.put("type", "status").put("id", s.id()).put("status", s.status());
    } else if (frame instanceof ClientFrame.Decline d) {
      o.put("type", "decline").put("id", d.id()).put("conversationId", d.conversationId());
    } else if (frame instanceof ClientFrame.Transfer t) {
      o.put("type", "transfer").put("id", t.id()).put("conversationId", t.conversationId());
      putIfSet(o, "toAgent", t.toAgent());
      putIfSet(o, "toGroup", t.toGroup());
      putIfSet(o, "note", t.note());
    } else if (frame instanceof ClientFrame.Note n) {
      o.put("type", "note").put("id", n.id()).put("conversationId", n.conversationId()).put("text", n.text());
    } else if (frame instanceof ClientFrame.Sync s) {
      o.put("type", "sync").put("conversationId", s.conversationId()).put("afterSeq", s.afterSeq());
    } else if (frame instanceof ClientFrame.Typing t) {
      o.put("type", "typing").put("conversationId", t.conversationId()).put("typing", t.typing());
    } else if (frame instanceof ClientFrame.Read r) {
      o.put("type", "read").put("conversationId", r.conversationId()).put("seq", r.seq());
    } else if (frame instanceof ClientFrame.WatchVisitors w) {
      o.put("type", "watchVisitors").put("siteId", w.siteId()).put("limit", w.limit());
      putIfSet(o, "lang", w.lang());
    } else if (frame instanceof ClientFrame.UnwatchVisitors u) {
      o.put("type", "unwatchVisitors").put("siteId", u.siteId());
    } else if (frame instanceof ClientFrame.Invite i) {
      o.put("type", "invite").put("id", i.id()).put("siteId", i.siteId()).put("visitorId", i.visitorId())
          .put("text", i.text());
    } else if (frame instanceof ClientFrame.Ping p) {
      o.put("type", "ping");
      if (p.t() != null) {
        o.put("t", p.t());
      }
    } else {
      throw new IllegalArgumentException("no encoding for " + frame.getClass().getName()); // a bug: a new record
    }
    return o;
  }

  /**
   * A request as {@link #toJson} stored it (the outbox file), back into its record; also reads outbox files written
   * before the records, which held the same JSON. Never throws.
   */
  public static Decoded<ClientFrame.Request> decodeRequest(JsonNode json) {
    if (json == null || !json.isObject() || json.get("type") == null || !json.get("type").isTextual()) {
      return new Decoded.Malformed<>("not a frame");
    }
    String type = json.get("type").asText();
    FrameFields f = new FrameFields(json, type);
    try {
      ClientFrame.Request request =
          switch (type) {
            case "send" -> new ClientFrame.Send(f.id("id"), f.optionalText("conversationId"), f.text("text"));
            case "claim" -> new ClientFrame.Claim(f.id("id"), f.text("conversationId"));
            case "close" -> new ClientFrame.Close(f.id("id"), f.text("conversationId"));
            case "status" -> new ClientFrame.Status(f.id("id"), f.text("status"));
            case "decline" -> new ClientFrame.Decline(f.id("id"), f.text("conversationId"));
            case "transfer" -> new ClientFrame.Transfer(
                f.id("id"), f.text("conversationId"), f.optionalText("toAgent"), f.optionalText("toGroup"),
                f.optionalText("note"));
            case "note" -> new ClientFrame.Note(f.id("id"), f.text("conversationId"), f.text("text"));
            default -> throw new Bad(type + " is not a request the outbox keeps");
          };
      return new Decoded.Ok<>(request);
    } catch (Bad bad) {
      return new Decoded.Malformed<>(bad.getMessage());
    }
  }

  private static void putIfSet(ObjectNode o, String name, String value) {
    if (value != null) {
      o.put(name, value);
    }
  }
}
