package dev.parley.persistence.directory;

import java.time.Instant;
import java.util.List;

/** A tenant: one shop's website. {@code allowedOrigins} may open the visitor WebSocket. */
public record Site(String id, String name, List<String> allowedOrigins, Instant createdAt) {
  public Site {
    allowedOrigins = List.copyOf(allowedOrigins);
  }
}
