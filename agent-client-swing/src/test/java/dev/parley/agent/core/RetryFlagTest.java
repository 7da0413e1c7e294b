package dev.parley.agent.core;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The client retries exactly what the server's error says may succeed again (protocol §8), nothing else. */
class RetryFlagTest {

  private static boolean retryable(String json) throws Exception {
    return AgentClient.retryable(Json.MAPPER.readTree(json));
  }

  @Test
  void theServersFlagDecides() throws Exception {
    assertThat(retryable("{\"type\":\"error\",\"code\":\"text-too-long\",\"retry\":true}")).isTrue();
    assertThat(retryable("{\"type\":\"error\",\"code\":\"timeout\",\"retry\":false}")).isFalse();
  }

  @Test
  void anErrorOfAnOlderServerWithoutTheFlagIsFinal() throws Exception {
    assertThat(retryable("{\"type\":\"error\",\"code\":\"timeout\"}")).isFalse();
    assertThat(retryable("{\"type\":\"error\",\"code\":\"timeout\",\"retry\":\"yes\"}")).isFalse();
  }
}
