package dev.parley.edge;

import com.github.benmanes.caffeine.cache.AsyncLoadingCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.parley.persistence.directory.Directory;
import dev.parley.persistence.directory.Site;
import dev.parley.persistence.directory.SiteWidget;
import dev.parley.persistence.directory.SiteWidgets;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.regex.Pattern;

/**
 * Sites by id for the visitor endpoint's checks, read from the database at most every {@link #TTL} per site, so
 * that a burst of visitors does not become a burst of queries. Admin changes show within that time.
 */
public final class SiteCache {

  public static final Duration TTL = Duration.ofSeconds(30);
  /** Sites held at once; the least recently used leave first. */
  public static final int MAX_SITES = 10_000;
  /** Agent names held at once (site and agent), least recently used leave first. */
  public static final int MAX_AGENT_NAMES = 10_000;
  /** Longer ids are no account's: refused before any query. */
  public static final int MAX_AGENT_ID_CHARS = 64;
  /** The form of a site id: lower-case letters, digits and hyphens, starting with a letter or digit. */
  public static final Pattern SITE_ID = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");

  private final AsyncLoadingCache<String, Optional<Site>> cache;
  private final AsyncLoadingCache<String, SiteWidget> widgetCache;
  /** "siteId agentId" to the display name visitors see; empty when that account does not work for the site. */
  private final AsyncLoadingCache<String, Optional<String>> agentNames;
  private final Directory directory;
  private final SiteWidgets widgets;

  public SiteCache(Directory directory, SiteWidgets widgets, Executor blocking) {
    this.directory = directory;
    this.widgets = widgets;
    this.cache =
        Caffeine.newBuilder()
            .maximumSize(MAX_SITES)
            .expireAfterWrite(TTL)
            .executor(blocking)
            .buildAsync((String id) -> directory.site(id));
    this.widgetCache =
        Caffeine.newBuilder()
            .maximumSize(MAX_SITES)
            .expireAfterWrite(TTL)
            .executor(blocking)
            .buildAsync((String id) -> widgets.get(id));
    this.agentNames =
        Caffeine.newBuilder()
            .maximumSize(MAX_AGENT_NAMES)
            .expireAfterWrite(TTL)
            .executor(blocking)
            .buildAsync(
                (String key) -> {
                  int space = key.indexOf(' ');
                  return directory
                      .member(key.substring(0, space), key.substring(space + 1))
                      .filter(m -> !m.account().disabled())
                      .map(m -> m.account().displayName())
                      .filter(n -> n != null && !n.isBlank());
                });
  }

  /**
   * The display name visitors see for an agent of the site (issue 14: the widget names who joined); empty when
   * the id is not an enabled account of the site. Ids that cannot be account ids are refused without a query.
   */
  public CompletionStage<Optional<String>> agentName(String siteId, String agentId) {
    if (agentId == null || agentId.isEmpty() || agentId.length() > MAX_AGENT_ID_CHARS || agentId.contains(" ")) {
      return java.util.concurrent.CompletableFuture.completedFuture(Optional.empty());
    }
    return agentNames.get(siteId + " " + agentId);
  }

  /** The widget configuration of an existing site (call {@link #get} first to know it exists). */
  public CompletionStage<SiteWidget> widget(String siteId) {
    return widgetCache.get(siteId);
  }

  public SiteWidgets widgets() {
    return widgets;
  }

  public CompletionStage<Optional<Site>> get(String siteId) {
    if (siteId == null || !SITE_ID.matcher(siteId).matches()) {
      return java.util.concurrent.CompletableFuture.completedFuture(Optional.empty());
    }
    return cache.get(siteId);
  }

  public void invalidate(String siteId) {
    cache.synchronous().invalidate(siteId);
    widgetCache.synchronous().invalidate(siteId);
  }

  public Directory directory() {
    return directory;
  }
}
