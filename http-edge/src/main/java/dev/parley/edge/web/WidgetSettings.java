package dev.parley.edge.web;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.edge.ApiError;
import dev.parley.edge.admin.RequestBody;
import dev.parley.edge.protocol.Json;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * How a site's widget looks and behaves: accent colour, corner, title and greeting (English and Simplified
 * Chinese), a fixed locale or the browser's, the pre-chat form, sound. Stored as a JSON object; every field is
 * optional and falls back to a default.
 */
public final class WidgetSettings {

  private static final Pattern COLOR = Pattern.compile("#[0-9a-fA-F]{6}");
  private static final String[] LOCALES = {"en", "zh"};

  private WidgetSettings() {}

  /**
   * Validates the admin's widget settings and merges it over {@code currentJson}: fields not given keep their
   * value. Throws {@link ApiError} naming the first bad field; nothing is saved then.
   */
  public static String merge(String currentJson, RequestBody widget) {
    ObjectNode settings = parse(currentJson);
    String color = widget.optionalString("color", 7, 7);
    if (color != null) {
      if (!COLOR.matcher(color).matches()) {
        throw ApiError.invalid("color", "'color' must be a colour like #2563eb");
      }
      settings.put("color", color.toLowerCase(Locale.ROOT));
    }
    String position = widget.optionalString("position", 4, 5);
    if (position != null) {
      if (!position.equals("left") && !position.equals("right")) {
        throw ApiError.invalid("position", "'position' is left or right");
      }
      settings.put("position", position);
    }
    localized(settings, widget, "title", 60);
    localized(settings, widget, "greeting", 300);
    if (widget.has("locale")) {
      String locale = widget.optionalString("locale", 2, 2);
      if (!java.util.Arrays.asList(LOCALES).contains(locale)) {
        throw ApiError.invalid("locale", "'locale' is en, zh, or absent for the browser's language");
      }
      settings.put("locale", locale);
    }
    RequestBody prechat = widget.optionalObject("prechat");
    if (prechat != null) {
      ObjectNode node = settings.withObjectProperty("prechat");
      Boolean enabled = prechat.optionalBoolean("enabled");
      Boolean requireEmail = prechat.optionalBoolean("requireEmail");
      if (enabled != null) {
        node.put("enabled", enabled);
      }
      if (requireEmail != null) {
        node.put("requireEmail", requireEmail);
      }
    }
    Boolean sound = widget.optionalBoolean("sound");
    if (sound != null) {
      settings.put("sound", sound);
    }
    return settings.toString();
  }

  private static void localized(ObjectNode settings, RequestBody widget, String field, int maxChars) {
    RequestBody texts = widget.optionalObject(field);
    if (texts == null) {
      return;
    }
    ObjectNode node = settings.withObjectProperty(field);
    for (String locale : LOCALES) {
      String text = texts.optionalFreeText(locale, 1, maxChars);
      if (text != null) {
        node.put(locale, text);
      }
    }
  }

  /** What the widget loads: the stored settings over the defaults, and whether identities must be signed. */
  public static String publicConfig(String siteId, String siteName, String settingsJson, boolean identityRequired) {
    ObjectNode config = Json.MAPPER.createObjectNode();
    config.put("siteId", siteId);
    config.put("name", siteName);
    config.put("color", "#2563eb");
    config.put("position", "right");
    config.putObject("title").put("en", siteName).put("zh", siteName);
    config
        .putObject("greeting")
        .put("en", "Hi! How can we help you today?")
        .put("zh", "您好！有什么可以帮您的吗？");
    config.putNull("locale");
    config.putObject("prechat").put("enabled", false).put("requireEmail", false);
    config.put("sound", true);
    ObjectNode stored = parse(settingsJson);
    stored.fields().forEachRemaining(
        field -> {
          JsonNode existing = config.get(field.getKey());
          if (existing instanceof ObjectNode target && field.getValue().isObject()) {
            target.setAll((ObjectNode) field.getValue());
          } else {
            config.set(field.getKey(), field.getValue());
          }
        });
    config.put("identityRequired", identityRequired);
    return config.toString();
  }

  private static ObjectNode parse(String json) {
    try {
      JsonNode node = Json.MAPPER.readTree(json == null ? "{}" : json);
      return node instanceof ObjectNode object ? object : Json.MAPPER.createObjectNode();
    } catch (JacksonException e) {
      return Json.MAPPER.createObjectNode();
    }
  }
}
