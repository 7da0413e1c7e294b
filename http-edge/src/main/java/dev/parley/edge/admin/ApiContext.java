package dev.parley.edge.admin;

import dev.parley.edge.SiteCache;
import dev.parley.edge.auth.Tokens;
import dev.parley.persistence.directory.Directory;
import dev.parley.persistence.directory.QuickReplies;
import java.time.Clock;
import java.util.concurrent.Executor;

/** What the HTTP API's routes share. */
public record ApiContext(
    Tokens tokens,
    Directory directory,
    SiteCache sites,
    Executor blocking,
    Clock clock,
    QuickReplies quickReplies) {}
