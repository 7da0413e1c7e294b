package dev.parley.persistence.projection;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Collection;

/**
 * The guard every projection transaction passes before it writes, so that a read model has one writer at a time
 * and never sees an event twice, whatever runs beside it.
 *
 * <ul>
 *   <li>While {@code ops/projections rebuild} replays a model ({@code projection_control.rebuilding}), the node's
 *       own projections refuse to write it: the row is read {@code FOR SHARE}, and the tool flips it with an
 *       update that waits for every transaction holding it.
 *   <li>A batch whose first event is at or below the offset stored for its slice was handled already (by the
 *       rebuild tool, or by another node during a network partition): the stored offset row is locked {@code FOR
 *       UPDATE} and compared, and the batch is refused. The projection then restarts from the stored offset.
 * </ul>
 *
 * A refusal is an exception: Pekko Projections rolls the transaction back and restarts the projection with backoff.
 */
public final class ProjectionControl {

  private ProjectionControl() {}

  /** Thrown when a projection must not write now; its restart reloads the offset. */
  public static final class Refused extends RuntimeException {
    Refused(String message) {
      super(message, null, false, false);
    }
  }

  /** Creates the control rows of these models if missing. */
  public static void register(Connection c, Collection<String> names) throws SQLException {
    try (PreparedStatement insert =
        c.prepareStatement("INSERT INTO projection_control (name) VALUES (?) ON CONFLICT DO NOTHING")) {
      for (String name : names) {
        insert.setString(1, name);
        insert.addBatch();
      }
      insert.executeBatch();
    }
  }

  /**
   * Checks, inside the batch's transaction, that this writer may apply a batch of journal orderings {@code
   * firstOrdering..lastOrdering} to model {@code name}, slice {@code tag}, and records it as applied. {@code rebuilder}: the rebuild tool, which writes
   * while the model is being rebuilt.
   */
  static void guard(
      Connection c, String name, String tag, long firstOrdering, long lastOrdering, boolean rebuilder)
      throws SQLException {
    try (PreparedStatement s =
        c.prepareStatement("SELECT rebuilding FROM projection_control WHERE name = ? FOR SHARE")) {
      s.setString(1, name);
      try (ResultSet rs = s.executeQuery()) {
        if (rs.next() && rs.getBoolean(1) && !rebuilder) {
          throw new Refused(name + " is being rebuilt by ops/projections; this node waits");
        }
      }
    }
    try (PreparedStatement s =
        c.prepareStatement(
            "INSERT INTO projection_slices (name, tag, last_ordering) VALUES (?, ?, 0) ON CONFLICT DO NOTHING")) {
      s.setString(1, name);
      s.setString(2, tag);
      s.executeUpdate();
    }
    try (PreparedStatement s =
        c.prepareStatement("SELECT last_ordering FROM projection_slices WHERE name = ? AND tag = ? FOR UPDATE")) {
      s.setString(1, name);
      s.setString(2, tag);
      try (ResultSet rs = s.executeQuery()) {
        rs.next();
        long applied = rs.getLong(1);
        if (firstOrdering <= applied) {
          throw new Refused(
              name + "/" + tag + ": events from " + firstOrdering + " on were applied already (up to " + applied
                  + "); restarting from the stored offset");
        }
      }
    }
    try (PreparedStatement s =
        c.prepareStatement("UPDATE projection_slices SET last_ordering = ? WHERE name = ? AND tag = ?")) {
      s.setLong(1, lastOrdering);
      s.setString(2, name);
      s.setString(3, tag);
      s.executeUpdate();
    }
  }

  /** Marks {@code name} as being rebuilt; waits for every node transaction writing it to finish. */
  public static void beginRebuild(Connection c, String name) throws SQLException {
    setRebuilding(c, name, true);
  }

  public static void endRebuild(Connection c, String name) throws SQLException {
    setRebuilding(c, name, false);
  }

  private static void setRebuilding(Connection c, String name, boolean rebuilding) throws SQLException {
    try (PreparedStatement s =
        c.prepareStatement(
            "INSERT INTO projection_control (name, rebuilding, rebuilt_at) VALUES (?, ?, now())"
                + " ON CONFLICT (name) DO UPDATE SET rebuilding = EXCLUDED.rebuilding,"
                + " rebuilt_at = CASE WHEN EXCLUDED.rebuilding THEN projection_control.rebuilt_at ELSE now() END")) {
      s.setString(1, name);
      s.setBoolean(2, rebuilding);
      s.executeUpdate();
    }
  }

  /** Whether a rebuild of {@code name} is under way (or was abandoned half-way: rerun it). */
  public static boolean isRebuilding(Connection c, String name) throws SQLException {
    try (PreparedStatement s = c.prepareStatement("SELECT rebuilding FROM projection_control WHERE name = ?")) {
      s.setString(1, name);
      try (ResultSet rs = s.executeQuery()) {
        return rs.next() && rs.getBoolean(1);
      }
    }
  }
}
