package dev.parley.core.routing;

import dev.parley.core.serialization.CborSerializable;

/**
 * What a visitor's opening message says about where it should be routed: a group chosen by the widget or the
 * pre-chat form, and the page the visitor is on (matched against the site's page-URL rules). Both may be null;
 * an unknown group is ignored by the dispatcher (the visitor cannot know the site's groups), never an error.
 *
 * <p>{@code clientKey} (added after release, null in older events) is an opaque, keyed hash of the client's
 * address, so that the site's queue can count what one address has waiting without storing the address itself.
 */
public record RoutingHints(String group, String pageUrl, String clientKey) implements CborSerializable {

  public static final int MAX_GROUP_CHARS = 64;
  public static final int MAX_PAGE_URL_CHARS = 2_048;

  public static final RoutingHints NONE = new RoutingHints(null, null, null);

  public RoutingHints(String group, String pageUrl) {
    this(group, pageUrl, null);
  }

  public static RoutingHints orNone(RoutingHints hints) {
    return hints == null ? NONE : hints;
  }
}
