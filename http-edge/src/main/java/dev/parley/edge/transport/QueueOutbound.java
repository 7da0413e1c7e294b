package dev.parley.edge.transport;

import dev.parley.edge.session.Outbound;
import java.util.function.Function;
import org.apache.pekko.stream.BoundedSourceQueue;
import org.apache.pekko.stream.QueueOfferResult;

/** An {@link Outbound} feeding a stream through a bounded source queue (WebSocket and Server-Sent Events). */
final class QueueOutbound<T> implements Outbound {

  private final BoundedSourceQueue<T> queue;
  private final Function<String, T> wrap;

  QueueOutbound(BoundedSourceQueue<T> queue, Function<String, T> wrap) {
    this.queue = queue;
    this.wrap = wrap;
  }

  @Override
  public Offer offer(String frame) {
    QueueOfferResult result = queue.offer(wrap.apply(frame));
    if (result.isEnqueued()) {
      return Offer.ENQUEUED;
    }
    return result == QueueOfferResult.dropped() ? Offer.FULL : Offer.CLOSED;
  }

  @Override
  public int size() {
    return queue.size();
  }

  @Override
  public void complete() {
    if (!queue.isCompleted()) {
      try {
        queue.complete();
      } catch (IllegalStateException alreadyDone) {
        // the client went away first
      }
    }
  }

  @Override
  public boolean isCompleted() {
    return queue.isCompleted();
  }
}
