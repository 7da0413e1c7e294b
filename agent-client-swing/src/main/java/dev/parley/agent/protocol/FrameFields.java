package dev.parley.agent.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Typed reads of one JSON object of a frame, each failing with {@link Bad} (naming the frame type and field) when
 * a field the client needs is absent or of the wrong kind. Absent and JSON {@code null} mean the same.
 */
final class FrameFields {

  /** Thrown inside the codec only, to abandon a frame with a reason; never leaves {@link FrameCodec}. */
  static final class Bad extends RuntimeException {
    Bad(String reason) {
      super(reason, null, false, false);
    }
  }

  private final JsonNode node;
  private final String where;

  FrameFields(JsonNode node, String where) {
    this.node = node;
    this.where = where;
  }

  private JsonNode get(String name) {
    JsonNode value = node.get(name);
    return value == null || value.isNull() ? null : value;
  }

  private Bad bad(String name, String expected) {
    return new Bad(where + "." + name + ": " + expected);
  }

  /** {@code value}, or a Bad naming the field when it is absent. */
  private <T> T required(String name, T value) {
    if (value == null) {
      throw bad(name, "missing");
    }
    return value;
  }

  String text(String name) {
    return required(name, optionalText(name));
  }

  String optionalText(String name) {
    JsonNode value = get(name);
    if (value == null) {
      return null;
    }
    if (!value.isTextual()) {
      throw bad(name, "not a string");
    }
    return value.asText();
  }

  /** A client message id: a non-empty string. */
  String id(String name) {
    String value = text(name);
    if (value.isEmpty()) {
      throw bad(name, "empty");
    }
    return value;
  }

  long integer(String name) {
    return required(name, optionalInteger(name));
  }

  Long optionalInteger(String name) {
    JsonNode value = get(name);
    if (value == null) {
      return null;
    }
    if (!value.isIntegralNumber() || !value.canConvertToLong()) {
      throw bad(name, "not an integer");
    }
    return value.longValue();
  }

  /** A seq or position: an integer of at least {@code min}. */
  long atLeast(String name, long min) {
    long value = integer(name);
    if (value < min) {
      throw bad(name, "below " + min);
    }
    return value;
  }

  int smallInteger(String name) {
    long value = integer(name);
    if (value < Integer.MIN_VALUE || value > Integer.MAX_VALUE) {
      throw bad(name, "out of range");
    }
    return (int) value;
  }

  Integer optionalSmallInteger(String name) {
    return get(name) == null ? null : smallInteger(name);
  }

  boolean bool(String name) {
    return required(name, optionalBool(name));
  }

  Boolean optionalBool(String name) {
    JsonNode value = get(name);
    if (value == null) {
      return null;
    }
    if (!value.isBoolean()) {
      throw bad(name, "not a boolean");
    }
    return value.booleanValue();
  }

  /** A time; one that is not an ISO-8601 instant reads as null (shown as unknown) rather than failing the frame. */
  Instant time(String name) {
    String text = optionalText(name);
    if (text == null) {
      return null;
    }
    try {
      return Instant.parse(text);
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  /** A nested object, read by {@code reader}; null when absent. */
  <T> T object(String name, Function<FrameFields, T> reader) {
    JsonNode value = get(name);
    if (value == null) {
      return null;
    }
    if (!value.isObject()) {
      throw bad(name, "not an object");
    }
    return reader.apply(new FrameFields(value, where + "." + name));
  }

  <T> T requiredObject(String name, Function<FrameFields, T> reader) {
    T value = object(name, reader);
    if (value == null) {
      throw bad(name, "missing");
    }
    return value;
  }

  /** An array of objects, each read by {@code reader}; empty when absent. */
  <T> List<T> objects(String name, Function<FrameFields, T> reader) {
    JsonNode value = get(name);
    if (value == null) {
      return List.of();
    }
    if (!value.isArray()) {
      throw bad(name, "not an array");
    }
    List<T> list = new ArrayList<>(value.size());
    for (int i = 0; i < value.size(); i++) {
      JsonNode element = value.get(i);
      if (!element.isObject()) {
        throw bad(name + "[" + i + "]", "not an object");
      }
      list.add(reader.apply(new FrameFields(element, where + "." + name + "[" + i + "]")));
    }
    return Collections.unmodifiableList(list);
  }

  /** Like {@link #objects}, but null (not empty) when absent: "unchanged" differs from "now empty". */
  <T> List<T> optionalObjects(String name, Function<FrameFields, T> reader) {
    return get(name) == null ? null : objects(name, reader);
  }

  /** An array of strings; empty when absent. */
  List<String> texts(String name) {
    JsonNode value = get(name);
    if (value == null) {
      return List.of();
    }
    if (!value.isArray()) {
      throw bad(name, "not an array");
    }
    List<String> list = new ArrayList<>(value.size());
    for (int i = 0; i < value.size(); i++) {
      if (!value.get(i).isTextual()) {
        throw bad(name + "[" + i + "]", "not a string");
      }
      list.add(value.get(i).asText());
    }
    return Collections.unmodifiableList(list);
  }

  // Tolerant reads, for frames that only inform (the visitor's profile): a field of the wrong kind reads as absent
  // instead of costing the rest of the frame.

  /** A scalar as text (a number in its JSON spelling); null when absent or an object or array. */
  String tolerantText(String name) {
    JsonNode value = get(name);
    return value == null || value.isContainerNode() ? null : value.asText();
  }

  Boolean tolerantBool(String name) {
    JsonNode value = get(name);
    return value != null && value.isBoolean() ? value.booleanValue() : null;
  }

  /** A nested object read by {@code reader}; null when absent or not an object. */
  <T> T tolerantObject(String name, Function<FrameFields, T> reader) {
    JsonNode value = get(name);
    return value != null && value.isObject() ? reader.apply(new FrameFields(value, where + "." + name)) : null;
  }

  /** The elements that are objects, each read by {@code reader}; empty when absent or not an array. */
  <T> List<T> tolerantObjects(String name, Function<FrameFields, T> reader) {
    JsonNode value = get(name);
    if (value == null || !value.isArray()) {
      return List.of();
    }
    List<T> list = new ArrayList<>(value.size());
    for (int i = 0; i < value.size(); i++) {
      if (value.get(i).isObject()) {
        list.add(reader.apply(new FrameFields(value.get(i), where + "." + name + "[" + i + "]")));
      }
    }
    return Collections.unmodifiableList(list);
  }

  /** Like {@link #time}, but a time of the wrong kind reads as null too. */
  Instant tolerantTime(String name) {
    String text = tolerantText(name);
    if (text == null) {
      return null;
    }
    try {
      return Instant.parse(text);
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  /**
   * An object of scalar values as strings (numbers and booleans in their JSON spelling); nested values are skipped.
   * Empty when absent or not an object (tolerant, like the reads above).
   */
  Map<String, String> stringMap(String name) {
    JsonNode value = get(name);
    if (value == null || !value.isObject()) {
      return Map.of(); // tolerant: only informing frames carry maps
    }
    Map<String, String> map = new LinkedHashMap<>();
    value.fields().forEachRemaining(e -> {
      if (e.getValue().isValueNode() && !e.getValue().isNull()) {
        map.put(e.getKey(), e.getValue().asText());
      }
    });
    return Collections.unmodifiableMap(map);
  }
}
