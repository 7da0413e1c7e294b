package dev.parley.agent.ui;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.agent.core.Texts;
import dev.parley.agent.core.VisitorInfo;
import dev.parley.agent.protocol.Decoded;
import dev.parley.agent.protocol.FrameCodec;
import dev.parley.agent.protocol.ServerFrame;
import org.junit.jupiter.api.Test;

/** The panel's text for a visitor frame: what an agent reads, in the order they read it. */
class VisitorPanelTest {

  private final VisitorPanel panel = new VisitorPanel(new Texts(Texts.ENGLISH));

  private static VisitorInfo frame(String json) {
    // The panel's tests give the frame without its type; the codec wants it.
    Decoded<ServerFrame> decoded = FrameCodec.decode("{\"type\":\"visitor\"," + json.strip().substring(1));
    return VisitorInfo.of((ServerFrame.Visitor) ((Decoded.Ok<ServerFrame>) decoded).frame());
  }

  @Test
  void aSignedIdentityShowsAsVerifiedAndAnUnsignedOneAsUnverified() throws Exception {
    assertThat(panel.describe(frame("""
        {"conversationId":"c1","visitorId":"v1","userId":"u-1","name":"Ana","verified":true,"online":true}
        """))).contains("Identity: verified");
    assertThat(panel.describe(frame("""
        {"conversationId":"c1","visitorId":"v1","userId":"u-1","name":"Ana","verified":false,"online":true}
        """))).contains("Identity: unverified");
    assertThat(panel.describe(frame("""
        {"conversationId":"c1","visitorId":"v1","online":true}
        """))).as("an anonymous visitor has no identity to verify").doesNotContain("Identity:");
  }

  @Test
  void earlierConversationsAreCountedWithoutTheOneOnScreen() throws Exception {
    String text = panel.describe(frame("""
        {"conversationId":"c3","visitorId":"v1","online":false,
         "conversations":[{"conversationId":"c3","status":"open"},{"conversationId":"c2","status":"closed"},
                          {"conversationId":"c1","status":"closed"}]}
        """));
    assertThat(text).contains("Earlier conversations (2)").contains("closed · c2").contains("closed · c1")
        .doesNotContain("c3").contains("Presence: offline");
  }

  @Test
  void pagesShowTimeTitleMinutesSpentAndAddressOldestFirst() throws Exception {
    String text = panel.describe(frame("""
        {"conversationId":"c1","visitorId":"v1","online":true,
         "pages":[{"url":"https://shop.example/tea","title":"Tea","at":"2026-11-23T09:00:00Z"},
                  {"url":"https://shop.example/cart","title":"Cart","at":"2026-11-23T09:04:30Z"}]}
        """));
    assertThat(text).contains("Tea · 4 min").contains("https://shop.example/tea");
    assertThat(text.indexOf("Tea")).isLessThan(text.indexOf("Cart"));
  }
}
