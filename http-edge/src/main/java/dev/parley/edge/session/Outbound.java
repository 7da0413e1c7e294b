package dev.parley.edge.session;

/**
 * Where a {@link Session} puts the frames for its client, whatever the transport: a WebSocket, a Server-Sent Events
 * stream, or a long-polling buffer. The session owns this interface and the transports implement it, so that the
 * session package depends on no transport. Every implementation is bounded; a full one makes the session
 * disconnect the client, which then resumes from its last seq.
 */
public interface Outbound {

  enum Offer {
    ENQUEUED,
    /** The client is too slow: the bound is reached. */
    FULL,
    /** The transport has ended. */
    CLOSED
  }

  /** Queues one encoded frame. Called from the session actor only. */
  Offer offer(String frame);

  /** Frames queued and not yet taken by the transport. */
  int size();

  /** Ends the transport after the frames already queued; idempotent. */
  void complete();

  boolean isCompleted();
}
