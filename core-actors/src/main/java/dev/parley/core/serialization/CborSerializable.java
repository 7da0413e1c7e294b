package dev.parley.core.serialization;

/**
 * Marker for every message, event and snapshot that may cross the wire or reach the journal.
 *
 * <p>Bound to Pekko's {@code jackson-cbor} serializer in this module's {@code reference.conf}, so a type
 * becomes serializable by implementing this interface and nothing else. Keeping the marker in our own
 * package means no Java serialization ever sneaks in through a library type.
 */
public interface CborSerializable {}
