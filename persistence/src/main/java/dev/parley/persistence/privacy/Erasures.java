package dev.parley.persistence.privacy;

import dev.parley.core.conversation.Conversation;
import dev.parley.core.visitor.Visitor;
import dev.parley.persistence.audit.AuditLog;
import dev.parley.persistence.blob.BlobStore;
import dev.parley.persistence.files.FileRecords;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import javax.sql.DataSource;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Erasure for privacy: a visitor on request (their profile and the words of every conversation of theirs), and the
 * closed conversations of a site once its retention period has passed.
 *
 * <p>Each erasure is a job row written before its first step and marked done after its last. The steps are
 * idempotent (the entity persists its erasure event once, then the journal's earlier events are rewritten
 * without their words and the snapshots deleted — {@link JournalRewriter}), so a job cut short by a crash is
 * simply run again from the start when the node comes back ({@link #resumeUnfinished}). Every erasure leaves an
 * audit entry; the files of an erased conversation (and those a visitor uploaded and never sent) are deleted from
 * the blob store, then their rows. Read models learn of it from the erasure events ({@link Conversation.ContentErased},
 * {@link Visitor.Erased}).
 */
public final class Erasures {

  private static final Logger log = LoggerFactory.getLogger(Erasures.class);
  /** Conversations erased per retention sweep and site; the next sweep takes the rest. */
  public static final int MAX_CONVERSATIONS_PER_SWEEP = 500;
  private static final Duration ASK_TIMEOUT = Duration.ofSeconds(30);
  private static final String CLOSED_MANIFEST = Conversation.Closed.class.getName();

  /** A job as the API shows it. */
  public record Job(
      long id, String siteId, String kind, String targetId, String reason, Instant requestedAt, Integer conversations,
      Instant doneAt) {}

  private final ActorSystem<?> system;
  private final ClusterSharding sharding;
  private final DataSource dataSource;
  private final Executor blocking;
  private final Clock clock;
  private final JournalRewriter rewriter;
  private final AuditLog audit;
  private final FileRecords files;
  private final BlobStore blobs;

  public Erasures(
      ActorSystem<?> system, ClusterSharding sharding, DataSource dataSource, Executor blocking, Clock clock,
      AuditLog audit, BlobStore blobs) {
    this.system = system;
    this.sharding = sharding;
    this.dataSource = dataSource;
    this.blocking = blocking;
    this.clock = clock;
    this.rewriter = new JournalRewriter(system, dataSource);
    this.audit = audit;
    this.files = new FileRecords(dataSource);
    this.blobs = blobs;
  }

  // Requests -----------------------------------------------------------------------------------------------

  /**
   * Records a job to erase a visitor of {@code siteId}, starts it, and returns its id at once; {@link #job} tells
   * when it is done.
   */
  public CompletionStage<Long> eraseVisitor(String siteId, String visitorId, String requestedBy, String address) {
    return CompletableFuture.supplyAsync(
        () -> {
          long id = insertJob(siteId, "visitor", visitorId, "request", requestedBy);
          audit.record(clock.instant(), siteId, requestedBy, "visitor.erase", visitorId, address, "job " + id);
          blocking.execute(() -> run(id, siteId, "visitor", visitorId));
          return id;
        },
        blocking);
  }

  public Optional<Job> job(String siteId, long id) {
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "SELECT id, site_id, kind, target_id, reason, requested_at, conversations, done_at FROM erasure_job"
                    + " WHERE id = ? AND site_id = ?")) {
      ps.setLong(1, id);
      ps.setString(2, siteId);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          return Optional.empty();
        }
        Timestamp done = rs.getTimestamp(8);
        int conversations = rs.getInt(7);
        return Optional.of(
            new Job(
                rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
                rs.getTimestamp(6).toInstant(), rs.wasNull() ? null : conversations,
                done == null ? null : done.toInstant()));
      }
    } catch (SQLException e) {
      throw new IllegalStateException("could not read erasure job " + id, e);
    }
  }

  /** Sets a site's retention period in days (null: keep everything), with an audit entry. */
  public void setRetention(String siteId, Integer days, String actor, String address) {
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps = c.prepareStatement("UPDATE site SET retention_days = ? WHERE id = ?")) {
      if (days == null) {
        ps.setNull(1, java.sql.Types.INTEGER);
      } else {
        ps.setInt(1, days);
      }
      ps.setString(2, siteId);
      ps.executeUpdate();
    } catch (SQLException e) {
      throw new IllegalStateException("could not set the retention of " + siteId, e);
    }
    audit.record(
        clock.instant(), siteId, actor, "site.retention", siteId, address, days == null ? "keep" : days + " days");
  }

  public Optional<Integer> retention(String siteId) {
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps = c.prepareStatement("SELECT retention_days FROM site WHERE id = ?")) {
      ps.setString(1, siteId);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          return Optional.empty();
        }
        int days = rs.getInt(1);
        return rs.wasNull() ? Optional.empty() : Optional.of(days);
      }
    } catch (SQLException e) {
      throw new IllegalStateException("could not read the retention of " + siteId, e);
    }
  }

  // Running jobs -------------------------------------------------------------------------------------------

  /** Runs every job that a stopped node left unfinished. Call once at start. */
  public void resumeUnfinished() {
    CompletableFuture.runAsync(
        () -> {
          for (Job job : unfinished()) {
            log.info("Resuming erasure job {} ({} {})", job.id(), job.kind(), job.targetId());
            run(job.id(), job.siteId(), job.kind(), job.targetId());
          }
        },
        blocking);
  }

  /**
   * Every {@code every}, erases the closed conversations of each site that sets a retention period, once they are
   * older than it (counted from the close).
   */
  public void startRetentionSweeps(Duration every) {
    system
        .scheduler()
        .scheduleWithFixedDelay(every, every, () -> blocking.execute(this::sweepRetention), system.executionContext());
  }

  /** One retention sweep over every site that has a retention period. Blocking; public for tests and tools. */
  public void sweepRetention() {
    try {
      for (var site : sitesWithRetention()) {
        Instant cutoff = clock.instant().minus(Duration.ofDays(site.days()));
        for (String conversationId : closedBefore(site.siteId(), cutoff)) {
          Long id = insertRetentionJob(site.siteId(), conversationId);
          if (id != null) {
            run(id, site.siteId(), "conversation", conversationId);
          }
        }
      }
    } catch (RuntimeException e) {
      log.error("Retention sweep failed; the next one tries again", e);
    }
  }

  /** The steps of one job, each idempotent; blocking (asks are awaited on this thread). */
  private void run(long jobId, String siteId, String kind, String targetId) {
    try {
      int conversations;
      if (kind.equals("visitor")) {
        conversations = eraseVisitorNow(siteId, targetId);
      } else {
        eraseConversationNow(targetId);
        conversations = 1;
      }
      finishJob(jobId, conversations);
      if (kind.equals("conversation")) {
        audit.record(clock.instant(), siteId, null, "conversation.erase", targetId, null, "retention, job " + jobId);
      }
      log.info("Erasure job {} done: {} {} and {} conversation(s)", jobId, kind, targetId, conversations);
    } catch (RuntimeException | SQLException e) {
      // Left unfinished: the next start (or the next sweep) runs it again from the beginning.
      log.error("Erasure job {} ({} {}) failed; it stays pending", jobId, kind, targetId, e);
    }
  }

  private int eraseVisitorNow(String siteId, String visitorId) throws SQLException {
    String entityId = Visitor.entityId(siteId, visitorId);
    long upTo =
        await(
            sharding
                .entityRefFor(Visitor.ENTITY_KEY, entityId)
                .<StatusReply<Long>>ask(Visitor.Erase::new, ASK_TIMEOUT));
    List<Object> events =
        rewriter.rewrite(
            PersistenceId.of(Visitor.ENTITY_KEY.name(), entityId).id(),
            upTo,
            e -> e instanceof Visitor.Event ve ? Visitor.scrubbed(ve) : e);
    Set<String> conversations = new LinkedHashSet<>();
    for (Object e : events) {
      if (e instanceof Visitor.ConversationStarted started) {
        conversations.add(started.conversationId());
      }
    }
    for (String conversationId : conversations) {
      eraseConversationNow(conversationId);
    }
    // Files the visitor uploaded but never sent go too.
    for (FileRecords.Upload upload : files.ofOwner(siteId, "visitor", visitorId)) {
      eraseFile(upload);
    }
    return conversations.size();
  }

  private void eraseConversationNow(String conversationId) throws SQLException {
    long upTo =
        await(
            sharding
                .entityRefFor(Conversation.ENTITY_KEY, conversationId)
                .<StatusReply<Long>>ask(Conversation.EraseContent::new, ASK_TIMEOUT));
    rewriter.rewrite(
        PersistenceId.of(Conversation.ENTITY_KEY.name(), conversationId).id(),
        upTo,
        e -> e instanceof Conversation.Event ce ? Conversation.scrubbed(ce) : e);
    // The files go with the words (issue 15): after the journal no longer names them.
    for (FileRecords.Upload upload : files.ofConversation(conversationId)) {
      eraseFile(upload);
    }
  }

  private void eraseFile(FileRecords.Upload upload) {
    try {
      files.erase(upload, blobs);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException("could not delete file " + upload.fileId(), e);
    }
  }

  private static long await(CompletionStage<StatusReply<Long>> reply) {
    StatusReply<Long> r = reply.toCompletableFuture().join();
    if (r.isError()) {
      throw new IllegalStateException("the entity refused the erasure: " + r.getError().getMessage());
    }
    return r.getValue();
  }

  // Job table --------------------------------------------------------------------------------------------------

  private long insertJob(String siteId, String kind, String targetId, String reason, String requestedBy) {
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "INSERT INTO erasure_job (site_id, kind, target_id, reason, requested_by, requested_at)"
                    + " VALUES (?, ?, ?, ?, ?, ?) RETURNING id")) {
      ps.setString(1, siteId);
      ps.setString(2, kind);
      ps.setString(3, targetId);
      ps.setString(4, reason);
      ps.setString(5, requestedBy);
      ps.setTimestamp(6, Timestamp.from(clock.instant()));
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    } catch (SQLException e) {
      throw new IllegalStateException("could not record an erasure job", e);
    }
  }

  /** A retention job for a conversation, or null when one exists already (done or pending). */
  private Long insertRetentionJob(String siteId, String conversationId) {
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "INSERT INTO erasure_job (site_id, kind, target_id, reason, requested_at)"
                    + " VALUES (?, 'conversation', ?, 'retention', ?) ON CONFLICT DO NOTHING RETURNING id")) {
      ps.setString(1, siteId);
      ps.setString(2, conversationId);
      ps.setTimestamp(3, Timestamp.from(clock.instant()));
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? rs.getLong(1) : null;
      }
    } catch (SQLException e) {
      throw new IllegalStateException("could not record a retention job", e);
    }
  }

  private void finishJob(long id, int conversations) throws SQLException {
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps =
            c.prepareStatement("UPDATE erasure_job SET done_at = ?, conversations = ? WHERE id = ?")) {
      ps.setTimestamp(1, Timestamp.from(clock.instant()));
      ps.setInt(2, conversations);
      ps.setLong(3, id);
      ps.executeUpdate();
    }
  }

  private List<Job> unfinished() {
    List<Job> jobs = new ArrayList<>();
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "SELECT id, site_id, kind, target_id, reason, requested_at FROM erasure_job WHERE done_at IS NULL"
                    + " ORDER BY id")) {
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          jobs.add(
              new Job(
                  rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
                  rs.getTimestamp(6).toInstant(), null, null));
        }
      }
    } catch (SQLException e) {
      throw new IllegalStateException("could not read pending erasure jobs", e);
    }
    return jobs;
  }

  // Retention -----------------------------------------------------------------------------------------------

  private record SiteRetention(String siteId, int days) {}

  private List<SiteRetention> sitesWithRetention() {
    List<SiteRetention> sites = new ArrayList<>();
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps =
            c.prepareStatement("SELECT id, retention_days FROM site WHERE retention_days IS NOT NULL")) {
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          sites.add(new SiteRetention(rs.getString(1), rs.getInt(2)));
        }
      }
    } catch (SQLException e) {
      throw new IllegalStateException("could not read retention periods", e);
    }
    return sites;
  }

  /**
   * Conversations of {@code siteId} closed before {@code cutoff} and not erased for retention yet, at most {@link
   * #MAX_CONVERSATIONS_PER_SWEEP}: read from the journal (the close event's write time, the opening event's site).
   */
  private List<String> closedBefore(String siteId, Instant cutoff) {
    List<String> found = new ArrayList<>();
    String prefix = Conversation.ENTITY_KEY.name() + "|";
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "SELECT j.persistence_id FROM event_journal j WHERE j.event_ser_manifest = ?"
                    + " AND j.write_timestamp < ? AND j.persistence_id LIKE ?"
                    + " AND NOT EXISTS (SELECT 1 FROM erasure_job e WHERE e.reason = 'retention'"
                    + "   AND e.target_id = substring(j.persistence_id from ?))"
                    + " ORDER BY j.ordering")) {
      ps.setString(1, CLOSED_MANIFEST);
      ps.setLong(2, cutoff.toEpochMilli());
      ps.setString(3, prefix + "%");
      ps.setInt(4, prefix.length() + 1);
      ps.setFetchSize(MAX_CONVERSATIONS_PER_SWEEP);
      c.setAutoCommit(false);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next() && found.size() < MAX_CONVERSATIONS_PER_SWEEP) {
          String conversationId = rs.getString(1).substring(prefix.length());
          if (siteId.equals(siteOf(c, rs.getString(1)))) {
            found.add(conversationId);
          }
        }
      }
      c.commit();
    } catch (SQLException e) {
      throw new IllegalStateException("could not find conversations past their retention", e);
    }
    return found;
  }

  /** The site named by a conversation's first event ({@link Conversation.Opened}). */
  private String siteOf(Connection c, String persistenceId) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT event_ser_id, event_ser_manifest, event_payload FROM event_journal"
                + " WHERE persistence_id = ? ORDER BY sequence_number LIMIT 1")) {
      ps.setString(1, persistenceId);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          return null;
        }
        Object first =
            org.apache.pekko.serialization.SerializationExtension.get(
                    org.apache.pekko.actor.typed.javadsl.Adapter.toClassic(system))
                .deserialize(rs.getBytes(3), rs.getInt(1), rs.getString(2))
                .get();
        return first instanceof Conversation.Opened o ? o.siteId() : null;
      }
    }
  }
}
