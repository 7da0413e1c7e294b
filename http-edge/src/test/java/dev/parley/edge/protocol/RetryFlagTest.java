package dev.parley.edge.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.edge.ErrorMapping;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.pekko.http.javadsl.model.HttpEntity;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The {@code retry} flag of error frames and HTTP error bodies (PROTOCOL.md §8): present for every code, taken from
 * {@link ErrorCode}'s one table, and that table is the one the document publishes.
 */
class RetryFlagTest {

  private static final Path PROTOCOL = Path.of("..", "docs", "PROTOCOL.md");
  /** A row of a §8 table: the code, then (after any columns) its {@code retry} cell. */
  private static final Pattern ROW = Pattern.compile("^\\| `([a-z-]+)` \\|(?:.*?\\|)?? `(true|false)`.*\\|$");

  @ParameterizedTest
  @EnumSource(ErrorCode.class)
  void everyErrorFrameCarriesTheFlagOfItsCode(ErrorCode code) throws IOException {
    JsonNode frame =
        Json.MAPPER.readTree(
            FrameEncoder.encode(ServerFrame.Error.of(code, "x").withRef("r-1").withConversation("c-1")));

    assertThat(frame.path("type").asText()).isEqualTo("error");
    assertThat(frame.path("code").asText()).isEqualTo(code.code());
    assertThat(frame.get("retry")).as("retry of %s", code).isNotNull();
    assertThat(frame.get("retry").isBoolean()).isTrue();
    assertThat(frame.get("retry").booleanValue()).isEqualTo(code.retryable());
  }

  @Test
  void theFlagSurvivesEveryCopyOfAFrame() throws IOException {
    ServerFrame.Error error =
        ServerFrame.Error.of(ErrorCode.RATE_LIMITED, "slow down")
            .withRef("r")
            .withConversation("c")
            .withField("f")
            .withRetryAfter(java.time.Duration.ofSeconds(2));

    JsonNode frame = Json.MAPPER.readTree(FrameEncoder.encode(error));

    assertThat(frame.path("retry").asBoolean(false)).isTrue();
    assertThat(frame.path("retryAfterMs").asLong()).isEqualTo(2000);
  }

  @ParameterizedTest
  @EnumSource(ErrorCode.class)
  void everyHttpErrorBodyCarriesTheFlagOfItsCode(ErrorCode code) throws IOException {
    HttpResponse response = ErrorMapping.response(400, code, "x", null);
    String body = ((HttpEntity.Strict) response.entity()).getData().utf8String();

    JsonNode error = Json.MAPPER.readTree(body).path("error");

    assertThat(error.path("code").asText()).isEqualTo(code.code());
    assertThat(error.get("retry")).as("retry of %s", code).isNotNull();
    assertThat(error.get("retry").booleanValue()).isEqualTo(code.retryable());
  }

  @Test
  void theTableInTheProtocolDocumentIsTheServers() throws IOException {
    Map<String, Boolean> documented = new LinkedHashMap<>();
    boolean inSection = false;
    for (String line : Files.readAllLines(PROTOCOL)) {
      if (line.startsWith("## ")) {
        inSection = line.startsWith("## 8. Error codes");
        continue;
      }
      Matcher row = ROW.matcher(line);
      if (inSection && row.matches()) {
        Boolean before = documented.put(row.group(1), Boolean.parseBoolean(row.group(2)));
        assertThat(before).as("%s documented twice", row.group(1)).isNull();
      }
    }

    Map<String, Boolean> server = new LinkedHashMap<>();
    EnumSet.allOf(ErrorCode.class).forEach(c -> server.put(c.code(), c.retryable()));
    assertThat(documented).containsExactlyInAnyOrderEntriesOf(server);
  }

  @Test
  void onlyWhatTimeCanCureIsRetryable() {
    assertThat(EnumSet.allOf(ErrorCode.class).stream().filter(ErrorCode::retryable))
        .containsExactlyInAnyOrder(
            ErrorCode.NOT_AUTHENTICATED, ErrorCode.HELLO_TIMEOUT, ErrorCode.IDLE_TIMEOUT, ErrorCode.OVERLOADED,
            ErrorCode.RATE_LIMITED, ErrorCode.TIMEOUT, ErrorCode.UNAVAILABLE, ErrorCode.TOO_MANY_SUBSCRIBERS);
  }

  @Test
  void aWireNameFindsItsCode() {
    for (ErrorCode code : ErrorCode.values()) {
      assertThat(ErrorCode.fromCode(code.code())).contains(code);
    }
    assertThat(ErrorCode.fromCode("no-such-code")).isEmpty();
  }
}
