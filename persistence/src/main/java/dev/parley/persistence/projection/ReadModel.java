package dev.parley.persistence.projection;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

/**
 * One read model: tables of {@code persistence/} filled from one entity type's tagged events by a projection.
 *
 * <p>Adding a read model is three steps (docs/DECISIONS.md, "Read side"): a Flyway migration for its tables, an
 * implementation of this interface, and one line in {@link ReadModels#all}. {@link ReadSide} then runs it in every
 * slice of its entity type with its offsets in the same transaction as its rows, {@code ops/projections status}
 * shows its lag and {@code ops/projections rebuild NAME} replays it.
 *
 * <p>{@link #apply} runs inside the transaction of a batch of events, in journal order within each entity; it must
 * only write this model's {@link #tables()} and must not commit. It is called once per event per replay: a rebuild
 * empties the tables first, so an apply never needs to guess whether it saw the event before.
 */
public interface ReadModel {

  /** The projection's name: the offset store's projection name, the name that ops/projections takes. */
  String name();

  /** The entity type whose events this model follows (an entity type key's name, e.g. "Conversation"). */
  String entityType();

  /** Every table this model owns, emptied (in this order) by a rebuild. */
  List<String> tables();

  /**
   * Applies one event of the entity {@code entityId} (its journal sequence number {@code sequenceNr}) to the
   * tables, on {@code connection} inside the batch's transaction. Events this model does not use are ignored.
   */
  void apply(Connection connection, String entityId, long sequenceNr, Object event) throws SQLException;
}
