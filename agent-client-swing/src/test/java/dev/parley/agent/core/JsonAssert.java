package dev.parley.agent.core;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;

final class JsonAssert {
  private JsonAssert() {}

  static void eventText(JsonNode frame, String text) {
    assertThat(frame.path("type").asText()).isEqualTo("event");
    assertThat(frame.path("kind").asText()).isEqualTo("message");
    assertThat(frame.path("text").asText()).isEqualTo(text);
  }
}
