package dev.parley.core.routing;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Where the dispatcher reads a site's routing configuration. The core declares it and knows no SQL; persistence
 * implements it over the relational tables. {@link #load} may block inside its own executor and must never run
 * on the caller's thread.
 */
public interface RoutingConfig {

  CompletionStage<SiteRouting> load(String siteId);

  /** Every site unconfigured: manual claiming, default capacity, always open. */
  RoutingConfig UNCONFIGURED = siteId -> CompletableFuture.completedFuture(SiteRouting.unconfigured(siteId));
}
