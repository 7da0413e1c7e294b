package dev.parley.ops.bench;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.model.ws.Message;
import org.apache.pekko.http.javadsl.model.ws.TextMessage;
import org.apache.pekko.http.javadsl.model.ws.WebSocketRequest;
import org.apache.pekko.stream.BoundedSourceQueue;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;

/**
 * A plain WebSocket client for the load harness: text frames out through a bounded queue, every text frame in handed
 * to {@code onText} (on a stream thread) and its UTF-8 size added to {@code bytesIn}.
 */
final class WsClient {

  /** Frames that may wait to go out on one connection; beyond, {@link #offer} says false. */
  private static final int MAX_QUEUED_FRAMES = 64;
  /** Largest frame read (the server's own limit for lists is far below). */
  private static final int MAX_FRAME_WAIT_MILLIS = 5_000;

  private final BoundedSourceQueue<Message> out;
  private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();

  WsClient(ActorSystem<?> system, URI uri, String origin, AtomicLong bytesIn, Consumer<String> onText) {
    Materializer mat = Materializer.matFromSystem(system);
    Sink<Message, ?> in =
        Flow.<Message>create()
            .filter(Message::isText)
            .mapAsync(1, m -> m.asTextMessage().toStrict(MAX_FRAME_WAIT_MILLIS, mat))
            .to(Sink.foreach(m -> {
              String text = m.getStrictText();
              bytesIn.addAndGet(text.getBytes(StandardCharsets.UTF_8).length);
              onText.accept(text);
            }));
    Flow<Message, Message, BoundedSourceQueue<Message>> flow =
        Flow.fromSinkAndSourceMat(in, Source.<Message>queue(MAX_QUEUED_FRAMES), Keep.right());
    this.out =
        Http.get(system)
            .singleWebSocketRequest(
                WebSocketRequest.create(uri.toString()).addHeader(RawHeader.create("Origin", origin)), flow, mat)
            .second();
  }

  /** Queues a frame; false when the connection's queue is full or closed. */
  boolean offer(String frame) {
    try {
      return !closed.get() && out.offer(TextMessage.create(frame)).isEnqueued();
    } catch (IllegalStateException ended) {
      return false;
    }
  }

  /** Closes the connection; again, or after the server closed it, does nothing. */
  void close() {
    if (closed.compareAndSet(false, true)) {
      try {
        out.complete();
      } catch (IllegalStateException alreadyDone) {
        // the stream ended on its own (the server closed the connection)
      }
    }
  }
}
