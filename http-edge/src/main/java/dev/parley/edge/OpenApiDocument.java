package dev.parley.edge;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.edge.protocol.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * The OpenAPI document the node serves at {@code /api/openapi.json}: {@code openapi.json} (info, security, the
 * shared error schema, the routing API) merged with one fragment per route group, listed in
 * {@code openapi/fragments.txt}. A fragment holds {@code paths}, {@code components.schemas} and
 * {@code x-error-codes} (codes its routes add to the error schema). Each group documents its own routes in its own
 * file, so the groups grow without editing one shared document. Built once, at start.
 */
public final class OpenApiDocument {

  private static final String BASE = "openapi.json";
  private static final String INDEX = "openapi/fragments.txt";

  private OpenApiDocument() {}

  /** The merged document as JSON text. Fails at start, naming the fragment, when one is missing or broken. */
  public static String build() {
    ObjectNode document = (ObjectNode) read(BASE);
    ObjectNode paths = document.withObjectProperty("paths");
    ObjectNode schemas = document.withObjectProperty("components").withObjectProperty("schemas");
    ArrayNode codes =
        (ArrayNode) schemas.path("Error").path("properties").path("error").path("properties").path("code").path("enum");
    Set<String> known = new LinkedHashSet<>();
    codes.forEach(c -> known.add(c.asText()));
    for (String line : text(INDEX).split("\n")) {
      String name = line.strip();
      if (name.isEmpty() || name.startsWith("#")) {
        continue;
      }
      JsonNode fragment = read("openapi/" + name);
      fragment.path("paths").fields().forEachRemaining(e -> {
        if (paths.has(e.getKey())) {
          throw new IllegalStateException("openapi/" + name + " documents " + e.getKey() + " a second time");
        }
        paths.set(e.getKey(), e.getValue());
      });
      fragment.path("components").path("schemas").fields().forEachRemaining(e -> schemas.set(e.getKey(), e.getValue()));
      fragment.path("x-error-codes").forEach(c -> {
        if (known.add(c.asText())) {
          codes.add(c.asText());
        }
      });
    }
    return document.toString();
  }

  private static JsonNode read(String resource) {
    try {
      return Json.MAPPER.readTree(text(resource));
    } catch (IOException e) {
      throw new IllegalStateException("the OpenAPI resource " + resource + " is not valid JSON", e);
    }
  }

  private static String text(String resource) {
    try (InputStream in = OpenApiDocument.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("the OpenAPI resource " + resource + " is missing");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
