package dev.parley.edge.visitors;

import dev.parley.core.visitor.Device;
import java.time.Instant;
import java.util.Map;

/**
 * One visitor online now, as the site's live list shows it: where they are (the current page), how they came
 * (referrer, search words, campaign), on what (device) and from where (place, never the address), how often they
 * came (visits), who they are (a name the host site passed) and whether they chat. Immutable; the registry
 * replaces it on every change and numbers the replacements ({@code version}), which is how a watcher's list knows
 * what it has already sent.
 *
 * @param since when this visit's first connection arrived
 * @param pageSince when the current page was opened
 * @param pagesSeen pages opened since arriving
 * @param chat {@code none}, {@code waiting} or {@code chatting}
 * @param conversationId the open conversation, or null
 */
public record VisitorNow(
    String siteId,
    String visitorId,
    long version,
    Instant since,
    String pageUrl,
    String pageTitle,
    Instant pageSince,
    int pagesSeen,
    String referrer,
    String searchKeyword,
    Map<String, String> utm,
    Device device,
    Place place,
    int visits,
    String name,
    String chat,
    String conversationId) {

  public static final String CHAT_NONE = "none";
  public static final String CHAT_WAITING = "waiting";
  public static final String CHAT_CHATTING = "chatting";

  public VisitorNow {
    utm = utm == null ? Map.of() : Map.copyOf(utm);
    place = place == null ? Place.UNKNOWN : place;
  }

  VisitorNow withVersion(long v) {
    return new VisitorNow(siteId, visitorId, v, since, pageUrl, pageTitle, pageSince, pagesSeen, referrer,
        searchKeyword, utm, device, place, visits, name, chat, conversationId);
  }

  /**
   * This visitor as a new connection of the same visit describes it: the visit's start, current page and page
   * count stay; what the new connection knows afresh (identity, device, place, visits, chat) replaces the old.
   */
  VisitorNow joinedBy(VisitorNow newer) {
    return new VisitorNow(siteId, visitorId, version, since,
        newer.pageUrl != null ? newer.pageUrl : pageUrl,
        newer.pageUrl != null ? newer.pageTitle : pageTitle,
        newer.pageUrl != null ? newer.pageSince : pageSince,
        pagesSeen + newer.pagesSeen,
        newer.referrer != null ? newer.referrer : referrer,
        newer.searchKeyword != null ? newer.searchKeyword : searchKeyword,
        newer.utm.isEmpty() ? utm : newer.utm,
        newer.device != null ? newer.device : device,
        newer.place.countryCode() != null ? newer.place : place,
        Math.max(visits, newer.visits),
        newer.name != null ? newer.name : name,
        newer.chat,
        newer.conversationId);
  }

  public VisitorNow onPage(String url, String title, Instant at, String newReferrer, String keyword,
      Map<String, String> campaign) {
    return new VisitorNow(siteId, visitorId, version, since, url, title, at, pagesSeen + 1,
        newReferrer != null ? newReferrer : referrer, keyword != null ? keyword : searchKeyword,
        campaign == null || campaign.isEmpty() ? utm : campaign, device, place, visits, name, chat, conversationId);
  }

  public VisitorNow withName(String n) {
    return new VisitorNow(siteId, visitorId, version, since, pageUrl, pageTitle, pageSince, pagesSeen, referrer,
        searchKeyword, utm, device, place, visits, n, chat, conversationId);
  }

  public VisitorNow withChat(String state, String conversation) {
    return new VisitorNow(siteId, visitorId, version, since, pageUrl, pageTitle, pageSince, pagesSeen, referrer,
        searchKeyword, utm, device, place, visits, name, state, conversation);
  }

  /** Everything but the version, to tell a real change from a repeated one. */
  boolean sameAs(VisitorNow other) {
    return other != null && withVersion(0).equals(other.withVersion(0));
  }
}
