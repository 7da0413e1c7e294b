package dev.parley.agent.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.util.Locale;
import java.util.Properties;
import org.junit.jupiter.api.Test;

class TextsTest {

  private static Properties bundle(String name) throws Exception {
    Properties p = new Properties();
    try (InputStream in = TextsTest.class.getResourceAsStream("/dev/parley/agent/" + name)) {
      p.load(new java.io.InputStreamReader(in, java.nio.charset.StandardCharsets.UTF_8));
    }
    return p;
  }

  @Test
  void englishAndChineseHoldTheSameKeys() throws Exception {
    assertThat(bundle("texts_zh_CN.properties").stringPropertyNames())
        .isEqualTo(bundle("texts.properties").stringPropertyNames());
  }

  @Test
  void theOsLocalePicksTheLanguageAndEitherCanBeChosen() {
    assertThat(Texts.defaultFor(Locale.CHINA)).isEqualTo(Texts.CHINESE);
    assertThat(Texts.defaultFor(Locale.GERMANY)).isEqualTo(Texts.ENGLISH);
    assertThat(new Texts(Texts.CHINESE).get("composer.send")).isEqualTo("发送");
    assertThat(new Texts(Texts.ENGLISH).get("composer.send")).isEqualTo("Send");
    assertThat(new Texts(Texts.ENGLISH).get("login.refused", "invalid-credentials"))
        .isEqualTo("Sign-in refused (invalid-credentials)");
  }
}
