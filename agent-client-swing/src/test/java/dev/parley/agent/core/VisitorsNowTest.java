package dev.parley.agent.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.agent.protocol.Decoded;
import dev.parley.agent.protocol.FrameCodec;
import dev.parley.agent.protocol.ServerFrame;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The client's live visitor lists as the server's visitors and visitorsChanged frames (protocol §12) build them. */
class VisitorsNowTest {

  private static final Instant LOCAL = Instant.parse("2026-12-01T10:00:00Z");

  private static ServerFrame frame(String json) {
    Decoded<ServerFrame> d = FrameCodec.decode(json);
    assertThat(d).isInstanceOf(Decoded.Ok.class);
    return ((Decoded.Ok<ServerFrame>) d).frame();
  }

  @Test
  void aSnapshotThenChangesGiveTheNewestArrivalsFirstWithTimesOnTheServersClock() {
    VisitorsNow lists = new VisitorsNow();
    // The server's clock is 5 s ahead of this machine's: times count on the server's.
    lists.replace((ServerFrame.Visitors) frame("""
        {"type":"visitors","siteId":"demo","total":2,"serverTime":"2026-12-01T10:00:05Z","visitors":[
          {"visitorId":"a","since":"2026-12-01T09:50:05Z","pageTitle":"Cart","pageSince":"2026-12-01T09:59:05Z",
           "pagesSeen":3,"device":{"browser":"Chrome","os":"Android"},"city":"Beijing","country":"China",
           "visits":2,"chat":"none"},
          {"visitorId":"b","since":"2026-12-01T09:55:05Z","pageTitle":"Teas","chat":"waiting"}]}"""), LOCAL);
    assertThat(lists.rows(LOCAL)).extracting(r -> r.visitor().visitorId()).containsExactly("b", "a");
    VisitorsNow.Row a = lists.rows(LOCAL).get(1);
    assertThat(a.onSite()).isEqualTo(Duration.ofMinutes(10));
    assertThat(a.onPage()).isEqualTo(Duration.ofMinutes(1));
    assertThat(a.visitor().pagesSeen()).isEqualTo(3);
    assertThat(a.visitor().device().browser()).isEqualTo("Chrome");

    lists.change((ServerFrame.VisitorsChanged) frame("""
        {"type":"visitorsChanged","siteId":"demo","total":2,"serverTime":"2026-12-01T10:00:06Z","removed":["b"],
         "upserted":[{"visitorId":"c","since":"2026-12-01T10:00:00Z","pageTitle":"Home","chat":"none"},
                     {"visitorId":"a","since":"2026-12-01T09:50:05Z","pageTitle":"Checkout","chat":"chatting"}]}"""),
        LOCAL.plusSeconds(1));
    assertThat(lists.rows(LOCAL.plusSeconds(1)))
        .extracting(r -> r.visitor().visitorId() + ":" + r.visitor().pageTitle() + ":" + r.visitor().chat())
        .containsExactly("c:Home:none", "a:Checkout:chatting");
    assertThat(lists.total()).isEqualTo(2);
  }

  @Test
  void fieldsOfTheWrongKindAreAbsentNotAFailedFrame() {
    ServerFrame.Visitors f = (ServerFrame.Visitors) frame("""
        {"type":"visitors","siteId":"demo","total":1,"visitors":[
          {"visitorId":"a","since":12,"pagesSeen":"many","device":"phone","name":{"x":1}}]}""");
    ServerFrame.ListedVisitor v = f.visitors().get(0);
    assertThat(v.since()).isNull();
    assertThat(v.pagesSeen()).isZero();
    assertThat(v.device()).isNull();
    assertThat(v.name()).isNull();
  }

  @Test
  void aListHoldsAtMostItsBoundOfRows() {
    VisitorsNow lists = new VisitorsNow();
    StringBuilder many = new StringBuilder();
    for (int i = 0; i < VisitorsNow.MAX_ROWS_PER_SITE + 10; i++) {
      many.append(i == 0 ? "" : ",").append("{\"visitorId\":\"v").append(i).append("\"}");
    }
    lists.replace((ServerFrame.Visitors) frame(
        "{\"type\":\"visitors\",\"siteId\":\"demo\",\"total\":510,\"visitors\":[" + many + "]}"), LOCAL);
    assertThat(lists.rows(LOCAL)).hasSize(VisitorsNow.MAX_ROWS_PER_SITE);
    assertThat(lists.total()).isEqualTo(510);
  }
}
