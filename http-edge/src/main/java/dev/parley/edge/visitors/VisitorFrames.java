package dev.parley.edge.visitors;

import dev.parley.edge.protocol.ServerFrame;
import java.util.List;

/** The wire form of the live visitor list (docs/PROTOCOL.md §12), with place names in the watcher's language. */
public final class VisitorFrames {

  private VisitorFrames() {}

  public static ServerFrame frame(VisitorsNow.ListUpdate message, String language) {
    VisitorList.Update u = message.update();
    List<ServerFrame.VisitorNowView> views = u.upserted().stream().map(v -> view(v, language)).toList();
    if (u.snapshot()) {
      return new ServerFrame.Visitors(message.siteId(), u.total(), views, message.at());
    }
    return new ServerFrame.VisitorsChanged(message.siteId(), u.total(), views, u.removed(), message.at());
  }

  public static ServerFrame.VisitorNowView view(VisitorNow v, String language) {
    Place p = v.place();
    return new ServerFrame.VisitorNowView(
        v.visitorId(),
        v.since(),
        v.pageUrl(),
        v.pageTitle(),
        v.pageSince(),
        v.pagesSeen(),
        v.referrer(),
        v.searchKeyword(),
        v.utm().isEmpty() ? null : v.utm(),
        v.device() == null
            ? null
            : new ServerFrame.DeviceView(v.device().browser(), v.device().os(), v.device().type()),
        p.countryCode(),
        Place.name(p.country(), language),
        Place.name(p.region(), language),
        Place.name(p.city(), language),
        p.network(),
        v.visits(),
        v.visits() > 1,
        v.name(),
        v.chat(),
        v.conversationId());
  }
}
