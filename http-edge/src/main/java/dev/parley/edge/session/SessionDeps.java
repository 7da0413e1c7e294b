package dev.parley.edge.session;

import dev.parley.edge.files.Attachments;
import dev.parley.edge.admission.Admission;
import dev.parley.core.conversation.ConversationHistory;
import dev.parley.edge.SiteCache;
import dev.parley.edge.auth.Tokens;
import dev.parley.edge.config.EdgeSettings;
import dev.parley.edge.visitors.Presence;
import dev.parley.edge.web.UserAgents;
import dev.parley.persistence.directory.Directory;
import java.time.Clock;
import java.util.concurrent.Executor;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;

/** What every connection's session needs, created once per node. */
public record SessionDeps(
    ClusterSharding sharding,
    Tokens tokens,
    Directory directory,
    Executor blocking,
    ConversationHistory history,
    EdgeSettings settings,
    Clock clock,
    SiteCache sites,
    UserAgents userAgents,
    Admission admission,
    Presence presence,
    Attachments attachments) {}
