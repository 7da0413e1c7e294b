package dev.parley.edge.protocol;

/**
 * A request refused by the edge itself, before or instead of an entity, carrying the error frame to answer with
 * (a {@code send} naming an upload that is not the sender's or not complete). A session answers it as it is.
 */
public final class FrameRefusal extends RuntimeException {

  private final ServerFrame.Error error;

  public FrameRefusal(ServerFrame.Error error) {
    super(error.message(), null, false, false);
    this.error = error;
  }

  public ServerFrame.Error error() {
    return error;
  }
}
