package dev.parley.agent.protocol;

/**
 * What {@link FrameCodec} made of a piece of text: the frame, or why it is not one. Decoding never throws, so a
 * broken frame from a faulty server or a damaged file reaches the caller as a value it logs, never as an exception
 * on the network thread or in the UI.
 */
public sealed interface Decoded<T> {

  record Ok<T>(T frame) implements Decoded<T> {}

  /** {@code reason} names the frame type and field where known, for the log; never the frame's text. */
  record Malformed<T>(String reason) implements Decoded<T> {}
}
