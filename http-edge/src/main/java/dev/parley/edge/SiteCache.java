package dev.parley.edge;

import com.github.benmanes.caffeine.cache.AsyncLoadingCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.parley.persistence.directory.Directory;
import dev.parley.persistence.directory.Site;
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
  /** The form of a site id: lower-case letters, digits and hyphens, starting with a letter or digit. */
  public static final Pattern SITE_ID = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");

  private final AsyncLoadingCache<String, Optional<Site>> cache;
  private final Directory directory;

  public SiteCache(Directory directory, Executor blocking) {
    this.directory = directory;
    this.cache =
        Caffeine.newBuilder()
            .maximumSize(MAX_SITES)
            .expireAfterWrite(TTL)
            .executor(blocking)
            .buildAsync((String id) -> directory.site(id));
  }

  public CompletionStage<Optional<Site>> get(String siteId) {
    if (siteId == null || !SITE_ID.matcher(siteId).matches()) {
      return java.util.concurrent.CompletableFuture.completedFuture(Optional.empty());
    }
    return cache.get(siteId);
  }

  public void invalidate(String siteId) {
    cache.synchronous().invalidate(siteId);
  }

  public Directory directory() {
    return directory;
  }
}
