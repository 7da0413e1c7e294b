package dev.parley.edge.protocol;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.core.common.Limits;
import dev.parley.core.common.TextRules;
import dev.parley.core.routing.RoutingHints;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Turns the text of a client frame into a {@link ClientFrame}, or into the error frame that explains what is wrong
 * with it. Never throws: every input, however broken, has an answer.
 */
public final class FrameDecoder {

  /** An upload id (PROTOCOL.md §13). */
  static final int MAX_UPLOAD_ID_CHARS = 64;
  private static final java.util.regex.Pattern UPLOAD_ID = java.util.regex.Pattern.compile("[A-Za-z0-9_-]{1,64}");

  /** Conversations a hello may name to resume. */
  public static final int MAX_RESUME_CONVERSATIONS = 200;
  /** Longest conversation id accepted (ours are UUIDs). */
  public static final int MAX_CONVERSATION_ID_CHARS = 64;

  private static final Pattern CONVERSATION_ID = Pattern.compile("[A-Za-z0-9_-]{1,64}");
  /** Longest page address or referrer accepted. */
  public static final int MAX_URL_CHARS = 2048;
  public static final int MAX_TITLE_CHARS = 300;
  public static final int MAX_USER_ID_CHARS = 128;
  public static final int MAX_NAME_CHARS = 200;
  public static final int MAX_EMAIL_CHARS = 254;
  /** Custom attributes of an identified visitor, and the length of their keys and values. */
  public static final int MAX_ATTRIBUTES = 30;
  public static final int MAX_ATTRIBUTE_KEY_CHARS = 64;
  public static final int MAX_ATTRIBUTE_VALUE_CHARS = 500;
  private static final Pattern ATTRIBUTE_KEY = Pattern.compile("[A-Za-z0-9_.-]{1,64}");
  private static final Pattern HEX = Pattern.compile("[0-9a-fA-F]{1,128}");

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
      checkText(root, "");
      String type = requiredText(root, "type", 32);
      ClientFrame frame =
          switch (type) {
            case "hello" -> new ClientFrame.Hello(
                optionalText(root, "token", 4096), resume(root), root.hasNonNull("observe") && bool(root, "observe"));
            case "send" -> send(root);
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
            case "ping" -> new ClientFrame.Ping(optionalLong(root, "t"));
            case "identify" -> identify(root);
            case "page" -> new ClientFrame.Page(
                webAddress(root, "url", true),
                optionalText(root, "title", MAX_TITLE_CHARS),
                webAddress(root, "referrer", false));
            case "watchVisitors" -> watchVisitors(root);
            case "invite" -> new ClientFrame.Invite(
                messageId(root),
                requiredText(root, "siteId", MAX_SITE_ID_CHARS),
                requiredText(root, "visitorId", MAX_CONVERSATION_ID_CHARS),
                invitationText(root));
            case "answerInvitation" -> answerInvitation(root);
            case "unwatchVisitors" -> new ClientFrame.UnwatchVisitors(requiredText(root, "siteId", MAX_SITE_ID_CHARS));
            default -> throw new Invalid(
                ServerFrame.Error.of(ErrorCode.UNKNOWN_TYPE, "unknown frame type '" + truncate(type) + "'")
                    .withField("type"));
          };
      return Decoded.ok(frame);
    } catch (Invalid e) {
      return Decoded.fail(ref == null || TextRules.lineProblem(ref).isPresent() ? e.error : e.error.withRef(truncate(ref)));
    }
  }

  /** Fields holding free text (line breaks allowed); every other string is a single line. */
  private static final java.util.Set<String> FREE_TEXT_FIELDS = java.util.Set.of("text", "comment", "note");

  /**
   * Every string of the frame, keys included, against {@link TextRules}: a lone surrogate or a control character
   * is a final {@code invalid-field} naming the field's path, before anything reaches an entity.
   */
  private static void checkText(JsonNode node, String path) throws Invalid {
    if (node.isTextual()) {
      String field = path.isEmpty() ? "(frame)" : path;
      String leaf = path.substring(path.lastIndexOf('.') + 1);
      java.util.Optional<String> problem =
          FREE_TEXT_FIELDS.contains(leaf) && path.indexOf('.') < 0
              ? TextRules.freeTextProblem(node.asText())
              : TextRules.lineProblem(node.asText());
      if (problem.isPresent()) {
        throw invalid(field, field + " " + problem.get());
      }
    } else if (node.isObject()) {
      var fields = node.fields();
      while (fields.hasNext()) {
        var field = fields.next();
        if (TextRules.lineProblem(field.getKey()).isPresent()) {
          throw invalid(path.isEmpty() ? "(frame)" : path, "a field name is not valid text");
        }
        checkText(field.getValue(), path.isEmpty() ? field.getKey() : path + "." + field.getKey());
      }
    } else if (node.isArray()) {
      for (int i = 0; i < node.size(); i++) {
        checkText(node.get(i), path + "[" + i + "]");
      }
    }
  }

  private static int score(JsonNode root) throws Invalid {
    long score = nonNegative(root, "score");
    if (score < 1 || score > 5) {
      throw invalid("score", "score must be an integer from 1 to 5");
    }
    return (int) score;
  }

  /** Longest site id accepted in a frame. */
  public static final int MAX_SITE_ID_CHARS = 64;
  /** Visitors a watcher may ask to see at once, and what it gets when it names no limit. */
  public static final int MAX_VISITOR_LIMIT = 500;
  public static final int DEFAULT_VISITOR_LIMIT = 200;
  private static final java.util.Set<String> CHAT_STATES = java.util.Set.of("none", "waiting", "chatting");
  private static final Pattern COUNTRY_CODE = Pattern.compile("[A-Za-z]{2}");
  private static final Pattern LANGUAGE = Pattern.compile("[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})?");

  private static String invitationText(JsonNode root) throws Invalid {
    String text = requiredString(root, "text");
    if (text.isBlank() || text.length() > dev.parley.edge.visitors.Invitation.MAX_TEXT_CHARS) {
      throw invalid("text", "text must be 1.." + dev.parley.edge.visitors.Invitation.MAX_TEXT_CHARS + " characters");
    }
    return text;
  }

  private static ClientFrame.AnswerInvitation answerInvitation(JsonNode root) throws Invalid {
    String id = messageId(root);
    String invitationId = requiredText(root, "invitationId", MAX_CONVERSATION_ID_CHARS);
    String answer = requiredText(root, "answer", 16);
    if (!answer.equals("accept") && !answer.equals("close")) {
      throw invalid("answer", "answer must be accept or close");
    }
    return new ClientFrame.AnswerInvitation(id, invitationId, answer);
  }

  private static ClientFrame.WatchVisitors watchVisitors(JsonNode root) throws Invalid {
    String siteId = requiredText(root, "siteId", MAX_SITE_ID_CHARS);
    JsonNode filter = root.get("filter");
    String text = null;
    String chat = null;
    Boolean returning = null;
    String country = null;
    if (filter != null && !filter.isNull()) {
      if (!filter.isObject()) {
        throw invalid("filter", "filter must be an object");
      }
      text = optionalText(filter, "text", 100, "filter.text");
      chat = optionalText(filter, "chat", 16, "filter.chat");
      if (chat != null && !CHAT_STATES.contains(chat)) {
        throw invalid("filter.chat", "filter.chat must be none, waiting or chatting");
      }
      JsonNode r = filter.get("returning");
      if (r != null && !r.isNull()) {
        if (!r.isBoolean()) {
          throw invalid("filter.returning", "filter.returning must be true or false");
        }
        returning = r.asBoolean();
      }
      country = optionalText(filter, "country", 2, "filter.country");
      if (country != null && !COUNTRY_CODE.matcher(country).matches()) {
        throw invalid("filter.country", "filter.country must be a two-letter country code");
      }
    }
    Long limit = optionalLong(root, "limit");
    if (limit != null && (limit < 1 || limit > MAX_VISITOR_LIMIT)) {
      throw invalid("limit", "limit must be 1.." + MAX_VISITOR_LIMIT);
    }
    String lang = optionalText(root, "lang", 16);
    if (lang != null && !LANGUAGE.matcher(lang).matches()) {
      throw invalid("lang", "lang must be a language tag such as en or zh-CN");
    }
    return new ClientFrame.WatchVisitors(
        siteId, text, chat, returning, country, limit == null ? DEFAULT_VISITOR_LIMIT : limit.intValue(), lang);
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

  private static ClientFrame.Identify identify(JsonNode root) throws Invalid {
    String id = messageId(root);
    JsonNode user = root.get("user");
    if (user == null || user.isNull()) {
      throw missing("user");
    }
    if (!user.isObject()) {
      throw invalid("user", "user must be an object");
    }
    String userId = requiredText(user, "id", MAX_USER_ID_CHARS, "user.id");
    if (userId.isBlank()) {
      throw invalid("user.id", "user.id must not be blank");
    }
    String name = optionalText(user, "name", MAX_NAME_CHARS, "user.name");
    String email = optionalText(user, "email", MAX_EMAIL_CHARS, "user.email");
    if (email != null && (email.indexOf('@') < 1 || email.indexOf('@') == email.length() - 1 || email.contains(" "))) {
      throw invalid("user.email", "user.email is not an email address");
    }
    Map<String, String> attributes = new LinkedHashMap<>();
    JsonNode attrs = user.get("attributes");
    if (attrs != null && !attrs.isNull()) {
      if (!attrs.isObject() || attrs.size() > MAX_ATTRIBUTES) {
        throw invalid("user.attributes", "user.attributes must be an object of at most " + MAX_ATTRIBUTES + " entries");
      }
      var fields = attrs.fields();
      while (fields.hasNext()) {
        var field = fields.next();
        JsonNode value = field.getValue();
        if (!ATTRIBUTE_KEY.matcher(field.getKey()).matches()
            || !(value.isTextual() || value.isNumber() || value.isBoolean())
            || value.asText().length() > MAX_ATTRIBUTE_VALUE_CHARS) {
          throw invalid(
              "user.attributes",
              "attribute names have 1 to 64 letters, digits and . _ -; values are strings, numbers or booleans of at"
                  + " most " + MAX_ATTRIBUTE_VALUE_CHARS + " characters");
        }
        attributes.put(field.getKey(), value.asText());
      }
    }
    String hash = optionalText(root, "hash", 128);
    if (hash != null && !HEX.matcher(hash).matches()) {
      throw invalid("hash", "hash must be hexadecimal");
    }
    String signature = optionalText(root, "signature", 128);
    if (signature != null && !HEX.matcher(signature).matches()) {
      throw invalid("signature", "signature must be hexadecimal");
    }
    Long expiresAt = null;
    JsonNode expires = user.get("expiresAt");
    if (expires != null && !expires.isNull()) {
      if (!expires.isIntegralNumber() || !expires.canConvertToLong() || expires.asLong() < 0) {
        throw invalid("user.expiresAt", "user.expiresAt must be a time in Unix seconds");
      }
      expiresAt = expires.asLong();
    }
    return new ClientFrame.Identify(id, userId, name, email, attributes, hash, expiresAt, signature);
  }

  /** An http or https address, or null when absent and not required. */
  private static String webAddress(JsonNode root, String field, boolean required) throws Invalid {
    String value = required ? requiredText(root, field, MAX_URL_CHARS) : optionalText(root, field, MAX_URL_CHARS);
    if (value == null || (!required && value.isEmpty())) {
      return null;
    }
    String lower = value.toLowerCase(java.util.Locale.ROOT);
    if (!(lower.startsWith("http://") || lower.startsWith("https://"))) {
      throw invalid(field, field + " must be an http or https address");
    }
    return value;
  }

  /** A client frame's id: a wrong type is {@code invalid-field}, an empty or too long one {@code invalid-message-id}. */
  /**
   * A send: text, or a file ({@code attachment.uploadId}, or {@code attachment.libraryFileId}: exactly one) with
   * text that may be empty or absent.
   */
  private static ClientFrame.Send send(JsonNode root) throws Invalid {
    String id = messageId(root);
    String uploadId = null;
    String libraryFileId = null;
    JsonNode attachment = root.get("attachment");
    if (attachment != null && !attachment.isNull()) {
      if (!attachment.isObject()) {
        throw invalid("attachment", "attachment must be an object {\"uploadId\"} or {\"libraryFileId\"}");
      }
      boolean library = attachment.has("libraryFileId") && !attachment.get("libraryFileId").isNull();
      if (library && attachment.has("uploadId")) {
        throw invalid("attachment", "attachment has either uploadId or libraryFileId, not both");
      }
      if (library) {
        libraryFileId = requiredText(attachment, "libraryFileId", 36, "attachment.libraryFileId");
        try {
          libraryFileId = java.util.UUID.fromString(libraryFileId).toString();
        } catch (IllegalArgumentException e) {
          throw invalid("attachment.libraryFileId", "a library file id is a UUID");
        }
      } else {
        uploadId = requiredText(attachment, "uploadId", MAX_UPLOAD_ID_CHARS, "attachment.uploadId");
        if (!UPLOAD_ID.matcher(uploadId).matches()) {
          throw invalid("attachment.uploadId", "an upload id is 1 to 64 letters, digits, - or _");
        }
      }
    }
    boolean file = uploadId != null || libraryFileId != null;
    String text = file ? optionalString(root, "text") : requiredString(root, "text");
    return new ClientFrame.Send(
        id,
        optionalConversationId(root),
        text == null ? "" : text,
        optionalText(root, "group", RoutingHints.MAX_GROUP_CHARS),
        optionalText(root, "pageUrl", RoutingHints.MAX_PAGE_URL_CHARS),
        uploadId,
        libraryFileId);
  }

  private static String optionalString(JsonNode root, String field) throws Invalid {
    JsonNode node = root.get(field);
    return node == null || node.isNull() ? null : requiredString(root, field);
  }

  private static String messageId(JsonNode root) throws Invalid {
    String id = requiredText(root, "id", Integer.MAX_VALUE);
    if (id.isBlank() || id.length() > Limits.MAX_CLIENT_MESSAGE_ID_CHARS) {
      throw new Invalid(
          ServerFrame.Error.of(
                  ErrorCode.INVALID_MESSAGE_ID,
                  "id must be 1 to " + Limits.MAX_CLIENT_MESSAGE_ID_CHARS + " characters")
              .withField("id"));
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
    return requiredText(root, field, maxChars, field);
  }

  /** {@code name} is how errors call the field (its path, for fields of nested objects). */
  private static String requiredText(JsonNode root, String field, int maxChars, String name) throws Invalid {
    JsonNode node = root.get(field);
    if (node == null || node.isNull()) {
      throw missing(name);
    }
    if (!node.isTextual()) {
      throw invalid(name, name + " must be a string");
    }
    String value = node.asText();
    if (value.length() > maxChars) {
      throw invalid(name, name + " is too long");
    }
    return value;
  }

  private static String optionalText(JsonNode root, String field, int maxChars) throws Invalid {
    return optionalText(root, field, maxChars, field);
  }

  private static String optionalText(JsonNode root, String field, int maxChars, String name) throws Invalid {
    JsonNode node = root.get(field);
    return node == null || node.isNull() ? null : requiredText(root, field, maxChars, name);
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

  /** An integer field that may be absent (null). */
  private static Long optionalLong(JsonNode root, String field) throws Invalid {
    JsonNode node = root.get(field);
    if (node == null || node.isNull()) {
      return null;
    }
    if (!node.isIntegralNumber() || !node.canConvertToLong()) {
      throw invalid(field, field + " must be an integer");
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
