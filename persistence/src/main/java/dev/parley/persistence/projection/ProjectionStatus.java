package dev.parley.persistence.projection;

import dev.parley.core.common.EventTags;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * How far each projection slice is behind the journal: the newest event of its tag against the offset it stored,
 * as a number of events and as the age of the oldest event it has not projected yet. Read by {@code ops/projections
 * status}, the rebuild's progress and tests; cheap (index-only on {@code event_tag(tag, event_id)}).
 */
public final class ProjectionStatus {

  private ProjectionStatus() {}

  /**
   * {@code offset}: the journal ordering of the last event projected (0: none yet); {@code eventsBehind}: tagged
   * events after it; {@code timeBehind}: how long ago the first of them was written (zero when caught up).
   */
  public record Slice(
      String model, String tag, long newestOrdering, long offset, long eventsBehind, long eventsDone,
      Duration timeBehind, boolean rebuilding) {

    public boolean caughtUp() {
      return eventsBehind == 0;
    }
  }

  public static List<Slice> read(Connection c, List<ReadModel> models) throws SQLException {
    List<Slice> out = new ArrayList<>();
    for (ReadModel model : models) {
      boolean rebuilding = ProjectionControl.isRebuilding(c, model.name());
      for (String tag : EventTags.all(model.entityType())) {
        out.add(slice(c, model.name(), tag, rebuilding));
      }
    }
    return out;
  }

  public static boolean caughtUp(Connection c, List<ReadModel> models) throws SQLException {
    return read(c, models).stream().allMatch(Slice::caughtUp);
  }

  static Slice slice(Connection c, String model, String tag, boolean rebuilding) throws SQLException {
    long offset = 0;
    try (PreparedStatement s =
        c.prepareStatement(
            "SELECT current_offset FROM pekko_projection_offset_store WHERE projection_name = ? AND projection_key = ?")) {
      s.setString(1, model);
      s.setString(2, tag);
      try (ResultSet rs = s.executeQuery()) {
        if (rs.next()) {
          offset = Long.parseLong(rs.getString(1));
        }
      }
    }
    long newest = 0;
    long behind = 0;
    long done = 0;
    try (PreparedStatement s =
        c.prepareStatement(
            "SELECT COALESCE(max(event_id), 0), count(*) FILTER (WHERE event_id > ?),"
                + " count(*) FILTER (WHERE event_id <= ?) FROM event_tag WHERE tag = ?")) {
      s.setLong(1, offset);
      s.setLong(2, offset);
      s.setString(3, tag);
      try (ResultSet rs = s.executeQuery()) {
        rs.next();
        newest = rs.getLong(1);
        behind = rs.getLong(2);
        done = rs.getLong(3);
      }
    }
    Duration timeBehind = Duration.ZERO;
    if (behind > 0) {
      try (PreparedStatement s =
          c.prepareStatement(
              "SELECT j.write_timestamp FROM event_tag t JOIN event_journal j ON j.ordering = t.event_id"
                  + " WHERE t.tag = ? AND t.event_id > ? ORDER BY t.event_id LIMIT 1")) {
        s.setString(1, tag);
        s.setLong(2, offset);
        try (ResultSet rs = s.executeQuery()) {
          if (rs.next() && rs.getLong(1) > 0) {
            timeBehind = Duration.ofMillis(Math.max(0, System.currentTimeMillis() - rs.getLong(1)));
          }
        }
      }
    }
    return new Slice(model, tag, newest, offset, behind, done, timeBehind, rebuilding);
  }
}
