package dev.parley.edge.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.core.common.Rejection;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class ErrorFramesTest {

  @ParameterizedTest
  @EnumSource(Rejection.class)
  void everyRejectionHasItsOwnCodeAndText(Rejection rejection) {
    ServerFrame.Error error = ErrorFrames.rejection(rejection.code(), "c-1");

    assertThat(error.code()).isEqualTo(rejection.code());
    assertThat(error.message()).isNotBlank().isNotEqualTo("the request was refused");
    assertThat(error.conversationId()).isEqualTo("c-1");
  }

  @ParameterizedTest
  @EnumSource(Rejection.class)
  void aRejectionWithoutConversationNamesNone(Rejection rejection) {
    assertThat(ErrorFrames.rejection(ErrorCode.of(rejection), null).conversationId()).isNull();
  }

  @Test
  void anUnknownEntityMessageIsUnavailableSoTheClientRetries() {
    assertThat(ErrorFrames.rejection("something-new", null).code()).isEqualTo("unavailable");
  }
}
