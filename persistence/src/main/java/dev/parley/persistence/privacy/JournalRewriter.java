package dev.parley.persistence.privacy;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import javax.sql.DataSource;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializer;
import org.apache.pekko.serialization.Serializers;

/**
 * Rewrites one entity's journal events in place, without what erasure removes, and deletes its snapshots (which
 * hold the same words). The one place where Parley changes written events: only for privacy, only by the erasure
 * job, only towards less (docs/DECISIONS.md, "Erasure").
 *
 * <p>Events are read and written with the actor system's own serializers, so a rewritten event reads back as an
 * event of the same class and version. Everything for one entity happens in one transaction.
 */
public final class JournalRewriter {

  /** Events read and rewritten per round trip. */
  private static final int FETCH_EVENTS = 500;

  private final DataSource dataSource;
  private final Serialization serialization;

  public JournalRewriter(ActorSystem<?> system, DataSource dataSource) {
    this.dataSource = dataSource;
    this.serialization = SerializationExtension.get(Adapter.toClassic(system));
  }

  /**
   * Applies {@code scrub} to every event of {@code persistenceId} up to {@code upToSequenceNr}, writes back the
   * ones it changed, deletes the entity's snapshots, and returns the events as they are now (for the caller to
   * find what else to erase). An event whose rewrite fails to serialize aborts the whole rewrite.
   */
  public List<Object> rewrite(String persistenceId, long upToSequenceNr, UnaryOperator<Object> scrub)
      throws SQLException {
    List<Object> events = new ArrayList<>();
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      try {
        long after = 0;
        while (true) {
          List<Row> rows = read(c, persistenceId, after, upToSequenceNr);
          if (rows.isEmpty()) {
            break;
          }
          for (Row row : rows) {
            Object event = serialization.deserialize(row.payload, row.serializerId, row.manifest).get();
            Object scrubbed = scrub.apply(event);
            if (!scrubbed.equals(event)) {
              write(c, persistenceId, row.sequenceNr, scrubbed);
            }
            events.add(scrubbed);
            after = row.sequenceNr;
          }
        }
        try (PreparedStatement delete = c.prepareStatement("DELETE FROM snapshot WHERE persistence_id = ?")) {
          delete.setString(1, persistenceId);
          delete.executeUpdate();
        }
        c.commit();
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      }
    }
    return events;
  }

  private record Row(long sequenceNr, int serializerId, String manifest, byte[] payload) {}

  private static List<Row> read(Connection c, String persistenceId, long after, long upTo) throws SQLException {
    List<Row> rows = new ArrayList<>();
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT sequence_number, event_ser_id, event_ser_manifest, event_payload FROM event_journal"
                + " WHERE persistence_id = ? AND sequence_number > ? AND sequence_number <= ?"
                + " ORDER BY sequence_number LIMIT " + FETCH_EVENTS)) {
      ps.setString(1, persistenceId);
      ps.setLong(2, after);
      ps.setLong(3, upTo);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          rows.add(new Row(rs.getLong(1), rs.getInt(2), rs.getString(3), rs.getBytes(4)));
        }
      }
    }
    return rows;
  }

  private void write(Connection c, String persistenceId, long sequenceNr, Object event) throws SQLException {
    Serializer serializer = serialization.findSerializerFor(event);
    byte[] bytes;
    try {
      bytes = serializer.toBinary(event);
    } catch (RuntimeException e) {
      throw new IllegalStateException(
          "could not serialize the erased form of " + persistenceId + " #" + sequenceNr, e);
    }
    try (PreparedStatement ps =
        c.prepareStatement(
            "UPDATE event_journal SET event_payload = ?, event_ser_id = ?, event_ser_manifest = ?"
                + " WHERE persistence_id = ? AND sequence_number = ?")) {
      ps.setBytes(1, bytes);
      ps.setInt(2, serializer.identifier());
      ps.setString(3, Serializers.manifestFor(serializer, event));
      ps.setString(4, persistenceId);
      ps.setLong(5, sequenceNr);
      if (ps.executeUpdate() != 1) {
        throw new SQLException("journal row " + persistenceId + " #" + sequenceNr + " disappeared");
      }
    }
  }
}
