package dev.parley.persistence.projection;

import dev.parley.core.common.EventTags;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tags the events of a journal written before entities tagged their events, with the very tag each entity now
 * gives (computed from the persistence id, {@link EventTags#forPersistenceId}), so that the projections see the
 * whole history. Idempotent: only events without any tag are touched. Run by the Flyway migration V21 and by
 * {@code ops/projections backfill} (for events written by an older node after that migration).
 */
public final class TagBackfill {

  private static final Logger log = LoggerFactory.getLogger(TagBackfill.class);
  /** Journal rows read and tagged per round trip. */
  public static final int BATCH_ROWS = 5_000;

  private TagBackfill() {}

  /** Tags every untagged event; returns how many. Commits nothing itself: the caller owns the transaction. */
  public static long run(Connection c) throws SQLException {
    long tagged = 0;
    long after = 0;
    try (PreparedStatement select =
            c.prepareStatement(
                "SELECT j.ordering, j.persistence_id FROM event_journal j"
                    + " WHERE j.ordering > ? AND NOT EXISTS (SELECT 1 FROM event_tag t WHERE t.event_id = j.ordering)"
                    + " ORDER BY j.ordering LIMIT " + BATCH_ROWS);
        PreparedStatement insert =
            c.prepareStatement("INSERT INTO event_tag (event_id, tag) VALUES (?, ?) ON CONFLICT DO NOTHING")) {
      while (true) {
        select.setLong(1, after);
        int rows = 0;
        try (ResultSet rs = select.executeQuery()) {
          while (rs.next()) {
            rows++;
            after = rs.getLong(1);
            String persistenceId = rs.getString(2);
            if (persistenceId.indexOf('|') < 1) {
              continue; // not an entity of ours
            }
            insert.setLong(1, after);
            insert.setString(2, EventTags.forPersistenceId(persistenceId));
            insert.addBatch();
          }
        }
        if (rows == 0) {
          break;
        }
        for (int n : insert.executeBatch()) {
          tagged += Math.max(n, 0);
        }
      }
    }
    if (tagged > 0) {
      log.info("Tagged {} events written before tagging, for the read side", tagged);
    }
    return tagged;
  }
}
