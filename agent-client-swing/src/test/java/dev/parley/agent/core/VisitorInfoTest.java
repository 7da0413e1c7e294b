package dev.parley.agent.core;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class VisitorInfoTest {

  @Test
  void fullVisitorFrameIsParsed() throws Exception {
    VisitorInfo v = VisitorInfo.parse(Json.MAPPER.readTree("""
        {"type":"visitor","conversationId":"c1","visitorId":"v1","siteId":"demo","name":"Ana","email":"ana@example.com",
         "attributes":{"plan":"pro","orders":"3"},"device":{"browser":"Firefox","os":"Linux","type":"desktop"},
         "referrer":"https://search.example/","utm":{"source":"news","medium":"email","campaign":"spring"},
         "pages":[{"url":"https://shop.example/tea","title":"Tea","at":"2026-11-23T09:00:00Z"}],
         "online":true,"conversations":[{"conversationId":"c0","openedAt":"2026-10-01T10:00:00Z","status":"closed"}]}
        """));
    assertThat(v.conversationId()).isEqualTo("c1");
    assertThat(v.name()).isEqualTo("Ana");
    assertThat(v.attributes()).containsEntry("plan", "pro").containsEntry("orders", "3");
    assertThat(v.device()).isEqualTo(new VisitorInfo.Device("Firefox", "Linux", "desktop"));
    assertThat(v.utm()).containsEntry("campaign", "spring").doesNotContainKey("term");
    assertThat(v.pages()).containsExactly(new VisitorInfo.Page("https://shop.example/tea", "Tea", "2026-11-23T09:00:00Z"));
    assertThat(v.online()).isTrue();
    assertThat(v.conversations()).extracting(VisitorInfo.PastConversation::status).containsExactly("closed");
    assertThat(v.hasDetails()).isTrue();
  }

  @Test
  void missingUnknownAndWronglyTypedFieldsAreTolerated() throws Exception {
    VisitorInfo v = VisitorInfo.parse(Json.MAPPER.readTree("""
        {"type":"visitor","conversationId":"c2","visitorId":"v2","shoeSize":44,"device":"not-an-object",
         "pages":[1,"x",{"url":"/only-url"}],"attributes":{"nested":{"a":1},"ok":"yes"},"online":"maybe",
         "utm":null}
        """));
    assertThat(v.visitorId()).isEqualTo("v2");
    assertThat(v.name()).isNull();
    assertThat(v.device()).isNull();
    assertThat(v.pages()).containsExactly(new VisitorInfo.Page("/only-url", null, null));
    assertThat(v.attributes()).containsOnlyKeys("ok");
    assertThat(v.online()).isNull();
    assertThat(v.utm()).isEmpty();
  }

  @Test
  void idsAloneAreNoDetails() {
    assertThat(VisitorInfo.unknown("c", "v").hasDetails()).isFalse();
  }
}
