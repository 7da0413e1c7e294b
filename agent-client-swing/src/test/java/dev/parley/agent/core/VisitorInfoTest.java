package dev.parley.agent.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.agent.protocol.Decoded;
import dev.parley.agent.protocol.FrameCodec;
import dev.parley.agent.protocol.ServerFrame;
import org.junit.jupiter.api.Test;

class VisitorInfoTest {

  private static VisitorInfo visitor(String json) {
    Decoded<ServerFrame> decoded = FrameCodec.decode(json);
    assertThat(decoded).isInstanceOf(Decoded.Ok.class);
    return VisitorInfo.of((ServerFrame.Visitor) ((Decoded.Ok<ServerFrame>) decoded).frame());
  }

  @Test
  void fullVisitorFrameIsParsed() throws Exception {
    VisitorInfo v = visitor(("""
        {"type":"visitor","conversationId":"c1","visitorId":"v1","siteId":"demo","userId":"u-7","name":"Ana",
         "email":"ana@example.com","verified":true,
         "attributes":{"plan":"pro","orders":"3"},"device":{"browser":"Firefox","os":"Linux","type":"desktop"},
         "referrer":"https://search.example/","utm":{"source":"news","medium":"email","campaign":"spring"},
         "pages":[{"url":"https://shop.example/tea","title":"Tea","at":"2026-11-23T09:00:00Z"}],
         "online":true,"conversations":[{"conversationId":"c1","status":"open"},{"conversationId":"c0","status":"closed"}]}
        """));
    assertThat(v.conversationId()).isEqualTo("c1");
    assertThat(v.name()).isEqualTo("Ana");
    assertThat(v.userId()).isEqualTo("u-7");
    assertThat(v.verified()).isTrue();
    assertThat(v.identified()).isTrue();
    assertThat(v.attributes()).containsEntry("plan", "pro").containsEntry("orders", "3");
    assertThat(v.device()).isEqualTo(new VisitorInfo.Device("Firefox", "Linux", "desktop"));
    assertThat(v.utm()).containsEntry("campaign", "spring").doesNotContainKey("term");
    assertThat(v.pages()).containsExactly(new VisitorInfo.Page("https://shop.example/tea", "Tea", java.time.Instant.parse("2026-11-23T09:00:00Z")));
    assertThat(v.online()).isTrue();
    assertThat(v.earlierConversations()).containsExactly(new VisitorInfo.PastConversation("c0", "closed"));
    assertThat(v.hasDetails()).isTrue();
  }

  @Test
  void missingUnknownAndWronglyTypedFieldsAreTolerated() throws Exception {
    VisitorInfo v = visitor(("""
        {"type":"visitor","conversationId":"c2","visitorId":"v2","shoeSize":44,"device":"not-an-object",
         "pages":[1,"x",{"url":"/only-url","at":"yesterday"}],"attributes":{"nested":{"a":1},"ok":"yes"},"online":"maybe",
         "utm":null}
        """));
    assertThat(v.visitorId()).isEqualTo("v2");
    assertThat(v.name()).isNull();
    assertThat(v.identified()).isFalse();
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
