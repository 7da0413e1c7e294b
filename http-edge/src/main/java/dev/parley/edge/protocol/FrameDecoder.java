package dev.parley.edge.protocol;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.core.common.Limits;
import dev.parley.core.routing.RoutingHints;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Turns the text of a client frame into a {@link ClientFrame}, or into the error frame that explains what is wrong
 * with it. Never throws: every input, however broken, has an answer.
 */
public final class FrameDecoder {

  /** Conversations a hello may name to resume. */
  public static final int MAX_RESUME_CONVERSATIONS = 200;
  /** Longest conversation id accepted (ours are UUIDs). */
  public static final int MAX_CONVERSATION_ID_CHARS = 64;

  private static final Pattern CONVERSATION_ID = Pattern.compile("[A-Za-z0-9_-]{1,64}");

  /** The result of decoding: exactly one of {@code frame} and {@code error} is set. */
  public record Decoded(ClientFrame frame, ServerFrame.Error error) {
    static Decoded ok(ClientFrame frame) {
      return new Decoded(frame, null);
    }

    static Decoded fail(ServerFrame.Error error) {
      return new Decoded(null, error);
    }
  }

  /** Thrown inside the decoder only, to abandon a frame with a precise error. */
  private static final class Invalid extends Exception {
    final ServerFrame.Error error;

    Invalid(ServerFrame.Error error) {
      super(null, null, false, false);
      this.error = error;
    }
  }

  private FrameDecoder() {}

  public static Decoded decode(String text) {
    JsonNode root;
    try {
      root = Json.MAPPER.readTree(text);
    } catch (JacksonException e) {
      return Decoded.fail(ServerFrame.Error.of(ErrorCode.BAD_JSON, "the frame is not valid JSON"));
    }
    if (root == null || !root.isObject()) {
      return Decoded.fail(ServerFrame.Error.of(ErrorCode.BAD_JSON, "a frame must be a JSON object"));
    }
    String ref = root.path("id").isTextual() ? root.path("id").asText() : null;
    try {
      String type = requiredText(root, "type", 32);
      ClientFrame frame =
          switch (type) {
            case "hello" -> new ClientFrame.Hello(optionalText(root, "token", 4096), resume(root));
            case "send" -> new ClientFrame.Send(
                messageId(root),
                optionalConversationId(root),
                requiredString(root, "text"),
                optionalText(root, "group", RoutingHints.MAX_GROUP_CHARS),
                optionalText(root, "pageUrl", RoutingHints.MAX_PAGE_URL_CHARS));
            case "decline" -> new ClientFrame.Decline(messageId(root), conversationId(root));
            case "transfer" -> transfer(root);
            case "rate" -> new ClientFrame.Rate(
                messageId(root), conversationId(root), score(root), optionalText(root, "comment", Limits.MAX_TEXT_CHARS));
            case "note" -> new ClientFrame.Note(messageId(root), conversationId(root), requiredString(root, "text"));
            case "sync" -> new ClientFrame.Sync(conversationId(root), nonNegative(root, "afterSeq"));
            case "typing" -> new ClientFrame.Typing(conversationId(root), bool(root, "typing"));
            case "read" -> new ClientFrame.Read(conversationId(root), nonNegative(root, "seq"));
            case "claim" -> new ClientFrame.Claim(messageId(root), conversationId(root));
            case "close" -> new ClientFrame.Close(messageId(root), conversationId(root));
            case "status" -> new ClientFrame.SetStatus(messageId(root), requiredText(root, "status", 16));
            case "ping" -> new ClientFrame.Ping(root.path("t").canConvertToLong() ? root.path("t").asLong() : null);
            default -> throw new Invalid(
                ServerFrame.Error.of(ErrorCode.UNKNOWN_TYPE, "unknown frame type '" + truncate(type) + "'")
                    .withField("type"));
          };
      return Decoded.ok(frame);
    } catch (Invalid e) {
      return Decoded.fail(ref == null ? e.error : e.error.withRef(truncate(ref)));
    }
  }

  private static int score(JsonNode root) throws Invalid {
    long score = nonNegative(root, "score");
    if (score < 1 || score > 5) {
      throw invalid("score", "score must be an integer from 1 to 5");
    }
    return (int) score;
  }

  private static ClientFrame.Transfer transfer(JsonNode root) throws Invalid {
    String id = messageId(root);
    String conversationId = conversationId(root);
    String toAgent = optionalText(root, "toAgent", MAX_CONVERSATION_ID_CHARS);
    String toGroup = optionalText(root, "toGroup", RoutingHints.MAX_GROUP_CHARS);
    if ((toAgent == null) == (toGroup == null)) {
      throw invalid(toAgent == null ? "toAgent" : "toGroup", "name exactly one of toAgent and toGroup");
    }
    String note = optionalText(root, "note", Limits.MAX_TEXT_CHARS);
    return new ClientFrame.Transfer(id, conversationId, toAgent, toGroup, note);
  }

  private static Map<String, Long> resume(JsonNode root) throws Invalid {
    JsonNode node = root.get("resume");
    if (node == null || node.isNull()) {
      return Map.of();
    }
    if (!node.isObject()) {
      throw invalid("resume", "resume must be an object of conversation id to last seq");
    }
    if (node.size() > MAX_RESUME_CONVERSATIONS) {
      throw invalid("resume", "resume names more than " + MAX_RESUME_CONVERSATIONS + " conversations");
    }
    Map<String, Long> resume = new LinkedHashMap<>();
    var fields = node.fields();
    while (fields.hasNext()) {
      var field = fields.next();
      if (!CONVERSATION_ID.matcher(field.getKey()).matches()) {
        throw invalid("resume", "resume has an invalid conversation id");
      }
      JsonNode seq = field.getValue();
      if (!seq.isIntegralNumber() || !seq.canConvertToLong() || seq.asLong() < 0) {
        throw invalid("resume", "resume seqs must be non-negative integers");
      }
      resume.put(field.getKey(), seq.asLong());
    }
    return resume;
  }

  private static String messageId(JsonNode root) throws Invalid {
    String id = requiredText(root, "id", Integer.MAX_VALUE);
    if (id.isBlank() || id.length() > Limits.MAX_CLIENT_MESSAGE_ID_CHARS) {
      throw invalid("id", "id must be 1 to " + Limits.MAX_CLIENT_MESSAGE_ID_CHARS + " characters");
    }
    return id;
  }

  private static String conversationId(JsonNode root) throws Invalid {
    String id = requiredText(root, "conversationId", Integer.MAX_VALUE);
    if (!CONVERSATION_ID.matcher(id).matches()) {
      throw invalid("conversationId", "conversationId is not a valid conversation id");
    }
    return id;
  }

  private static String optionalConversationId(JsonNode root) throws Invalid {
    JsonNode node = root.get("conversationId");
    return node == null || node.isNull() ? null : conversationId(root);
  }

  private static String requiredString(JsonNode root, String field) throws Invalid {
    JsonNode node = root.get(field);
    if (node == null || node.isNull()) {
      throw missing(field);
    }
    if (!node.isTextual()) {
      throw invalid(field, field + " must be a string");
    }
    return node.asText();
  }

  private static String requiredText(JsonNode root, String field, int maxChars) throws Invalid {
    String value = requiredString(root, field);
    if (value.length() > maxChars) {
      throw invalid(field, field + " is too long");
    }
    return value;
  }

  private static String optionalText(JsonNode root, String field, int maxChars) throws Invalid {
    JsonNode node = root.get(field);
    return node == null || node.isNull() ? null : requiredText(root, field, maxChars);
  }

  private static long nonNegative(JsonNode root, String field) throws Invalid {
    JsonNode node = root.get(field);
    if (node == null || node.isNull()) {
      throw missing(field);
    }
    if (!node.isIntegralNumber() || !node.canConvertToLong() || node.asLong() < 0) {
      throw invalid(field, field + " must be a non-negative integer");
    }
    return node.asLong();
  }

  private static boolean bool(JsonNode root, String field) throws Invalid {
    JsonNode node = root.get(field);
    if (node == null || node.isNull()) {
      throw missing(field);
    }
    if (!node.isBoolean()) {
      throw invalid(field, field + " must be true or false");
    }
    return node.asBoolean();
  }

  private static Invalid missing(String field) {
    return new Invalid(
        ServerFrame.Error.of(ErrorCode.MISSING_FIELD, "the field '" + field + "' is required").withField(field));
  }

  private static Invalid invalid(String field, String message) {
    return new Invalid(ServerFrame.Error.of(ErrorCode.INVALID_FIELD, message).withField(field));
  }

  private static String truncate(String s) {
    return s.length() <= 64 ? s : s.substring(0, 64);
  }
}
