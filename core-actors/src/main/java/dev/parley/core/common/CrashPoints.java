package dev.parley.core.common;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Named moments between two persisted steps of a cross-entity operation, where a test may have the JVM die: run
 * the server with {@code -Dparley.crash-at=<point>} and it halts ({@link Runtime#halt}, no shutdown hooks, as a
 * kill would) right after that step is persisted. Without the property this is one field read. Points: {@value
 * #CLAIM_DECIDED}, {@value #JOIN_RECORDED}, {@value #TRANSFER_DECIDED}, {@value
 * #TRANSFER_RECORDED}, {@value #CLOSE_RECORDED}.
 */
public final class CrashPoints {

  /** The dispatcher persisted its decision of a claim; the conversation has not recorded the join. */
  public static final String CLAIM_DECIDED = "claim-decided";
  /** The conversation recorded the join; the dispatcher has not persisted the confirmation nor replied. */
  public static final String JOIN_RECORDED = "join-recorded";
  /** The dispatcher persisted a transfer; the conversation has not recorded it. */
  public static final String TRANSFER_DECIDED = "transfer-decided";
  /** The conversation recorded the transfer; the dispatcher has not persisted the confirmation nor replied. */
  public static final String TRANSFER_RECORDED = "transfer-recorded";
  /** The conversation persisted its close; nobody else has heard of it. */
  public static final String CLOSE_RECORDED = "close-recorded";

  /** Exit status of a halt at a crash point, so that a test can tell it from any other death. */
  public static final int EXIT_STATUS = 86;

  private static final Logger LOG = LoggerFactory.getLogger(CrashPoints.class);
  private static final String POINT = System.getProperty("parley.crash-at");

  private CrashPoints() {}

  /** Halts the JVM if it was started to crash at {@code point}; otherwise does nothing. */
  public static void reached(String point) {
    if (POINT != null && POINT.equals(point)) {
      LOG.warn("Crash point {} reached: halting as a crash would", point);
      Runtime.getRuntime().halt(EXIT_STATUS);
    }
  }
}
