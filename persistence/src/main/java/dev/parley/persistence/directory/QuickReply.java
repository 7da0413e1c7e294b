package dev.parley.persistence.directory;

import java.time.Instant;

/** A team quick reply of a site: typed as {@code /shortcut} in the agent's composer. */
public record QuickReply(String id, String siteId, String shortcut, String text, Instant createdAt) {}
