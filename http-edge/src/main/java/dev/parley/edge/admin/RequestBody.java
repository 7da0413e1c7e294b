package dev.parley.edge.admin;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.core.common.TextRules;
import dev.parley.edge.ApiError;
import dev.parley.edge.protocol.Json;
import java.util.ArrayList;
import java.util.List;

/** A JSON request body with validating accessors; every problem is an {@link ApiError} naming the field. */
public final class RequestBody {

  private final JsonNode root;
  /** For a nested object: its path and a dot, so that errors name the full field ("widget.color"). */
  private final String prefix;

  private RequestBody(JsonNode root) {
    this(root, "");
  }

  private RequestBody(JsonNode root, String prefix) {
    this.root = root;
    this.prefix = prefix;
  }

  /** The nested object {@code field}, or null when it is absent. */
  public RequestBody optionalObject(String field) {
    if (!has(field)) {
      return null;
    }
    JsonNode node = root.get(field);
    if (!node.isObject()) {
      throw ApiError.invalid(name(field), "'" + name(field) + "' must be an object");
    }
    return new RequestBody(node, name(field) + ".");
  }

  /** The array of objects {@code field} (empty when absent), each with errors named {@code field[i].x}. */
  public List<RequestBody> objectList(String field, int maxItems) {
    if (!has(field)) {
      return List.of();
    }
    JsonNode node = root.get(field);
    if (!node.isArray()) {
      throw ApiError.invalid(name(field), "'" + name(field) + "' must be an array of objects");
    }
    if (node.size() > maxItems) {
      throw ApiError.invalid(name(field), "'" + name(field) + "' has more than " + maxItems + " items");
    }
    List<RequestBody> items = new ArrayList<>();
    for (int i = 0; i < node.size(); i++) {
      if (!node.get(i).isObject()) {
        throw ApiError.invalid(name(field) + "[" + i + "]", "'" + name(field) + "[" + i + "]' must be an object");
      }
      items.add(new RequestBody(node.get(i), name(field) + "[" + i + "]."));
    }
    return items;
  }

  /** The whole number {@code field}, or {@code absent} when it is missing; range checks are the caller's. */
  public int optionalInt(String field, int absent) {
    if (!has(field)) {
      return absent;
    }
    JsonNode node = root.get(field);
    if (!node.isIntegralNumber() || !node.canConvertToInt()) {
      throw ApiError.invalid(name(field), "'" + name(field) + "' must be a whole number");
    }
    return node.asInt();
  }

  /** The full name of {@code field} in error messages ("rules[2].text"). */
  public String fieldName(String field) {
    return name(field);
  }

  public Boolean optionalBoolean(String field) {
    if (!has(field)) {
      return null;
    }
    JsonNode node = root.get(field);
    if (!node.isBoolean()) {
      throw ApiError.invalid(name(field), "'" + name(field) + "' must be true or false");
    }
    return node.asBoolean();
  }

  private String name(String field) {
    return prefix + field;
  }

  public static RequestBody parse(String text) {
    try {
      JsonNode root = Json.MAPPER.readTree(text);
      if (root == null || !root.isObject()) {
        throw ApiError.invalid(null, "the body must be a JSON object");
      }
      checkText(root, "");
      return new RequestBody(root);
    } catch (JacksonException e) {
      throw ApiError.invalid(null, "the body is not valid JSON");
    }
  }

  /**
   * Every string of a body must at least be valid free text ({@link TextRules}), however a route reads it later:
   * nothing malformed reaches the database. Single-line fields are checked further by their accessors.
   */
  private static void checkText(JsonNode node, String path) {
    if (node.isTextual()) {
      TextRules.freeTextProblem(node.asText())
          .ifPresent(problem -> {
            throw ApiError.invalid(path, "'" + path + "' " + problem);
          });
    } else if (node.isObject()) {
      var fields = node.fields();
      while (fields.hasNext()) {
        var field = fields.next();
        String name = path.isEmpty() ? field.getKey() : path + "." + field.getKey();
        TextRules.lineProblem(field.getKey())
            .ifPresent(problem -> {
              throw ApiError.invalid(path.isEmpty() ? null : path, "a field name " + problem);
            });
        checkText(field.getValue(), name);
      }
    } else if (node.isArray()) {
      for (int i = 0; i < node.size(); i++) {
        checkText(node.get(i), path + "[" + i + "]");
      }
    }
  }

  /** The parsed object, for routes whose bodies are nested documents. */
  public JsonNode root() {
    return root;
  }

  public boolean has(String field) {
    JsonNode node = root.get(field);
    return node != null && !node.isNull();
  }

  public String requiredString(String field, int minChars, int maxChars) {
    if (!has(field)) {
      throw ApiError.invalid(name(field), "'" + name(field) + "' is required");
    }
    return string(field, minChars, maxChars);
  }

  public String optionalString(String field, int minChars, int maxChars) {
    return has(field) ? string(field, minChars, maxChars) : null;
  }

  public List<String> stringList(String field, int maxItems, int maxChars) {
    if (!has(field)) {
      return List.of();
    }
    JsonNode node = root.get(field);
    if (!node.isArray()) {
      throw ApiError.invalid(name(field), "'" + name(field) + "' must be an array of strings");
    }
    if (node.size() > maxItems) {
      throw ApiError.invalid(name(field), "'" + name(field) + "' has more than " + maxItems + " items");
    }
    List<String> values = new ArrayList<>();
    for (JsonNode item : node) {
      if (!item.isTextual() || item.asText().length() > maxChars) {
        throw ApiError.invalid(
            name(field), "'" + name(field) + "' must hold strings of at most " + maxChars + " characters");
      }
      checkLine(field, item.asText());
      values.add(item.asText());
    }
    return values;
  }

  private String string(String field, int minChars, int maxChars) {
    JsonNode node = root.get(field);
    if (!node.isTextual()) {
      throw ApiError.invalid(name(field), "'" + name(field) + "' must be a string");
    }
    String value = node.asText().strip();
    if (value.length() < minChars || value.length() > maxChars) {
      throw ApiError.invalid(
          name(field), "'" + name(field) + "' must have " + minChars + " to " + maxChars + " characters");
    }
    checkLine(field, value);
    return value;
  }

  /** Free text (a quick reply, a welcome message): line breaks allowed, otherwise as {@link #requiredString}. */
  public String requiredFreeText(String field, int minChars, int maxChars) {
    if (!has(field)) {
      throw ApiError.invalid(name(field), "'" + name(field) + "' is required");
    }
    return optionalFreeText(field, minChars, maxChars);
  }

  /** As {@link #requiredFreeText}, or null when absent. */
  public String optionalFreeText(String field, int minChars, int maxChars) {
    if (!has(field)) {
      return null;
    }
    JsonNode node = root.get(field);
    if (!node.isTextual()) {
      throw ApiError.invalid(name(field), "'" + name(field) + "' must be a string");
    }
    String value = node.asText().strip();
    if (value.length() < minChars || value.length() > maxChars) {
      throw ApiError.invalid(
          name(field), "'" + name(field) + "' must have " + minChars + " to " + maxChars + " characters");
    }
    TextRules.freeTextProblem(value)
        .ifPresent(problem -> {
          throw ApiError.invalid(name(field), "'" + name(field) + "' " + problem);
        });
    return value;
  }

  private void checkLine(String field, String value) {
    TextRules.lineProblem(value)
        .ifPresent(problem -> {
          throw ApiError.invalid(name(field), "'" + name(field) + "' " + problem);
        });
  }
}
