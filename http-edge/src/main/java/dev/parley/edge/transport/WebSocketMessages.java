package dev.parley.edge.transport;

import dev.parley.edge.session.InboundFrame;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.http.javadsl.model.ws.Message;
import org.apache.pekko.http.javadsl.model.ws.TextMessage;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.javadsl.Sink;

/**
 * Turns one WebSocket message, which may arrive in fragments, into an {@link InboundFrame} with a size limit.
 * Oversized messages are drained and counted, never buffered whole; binary ones are drained and reported.
 */
final class WebSocketMessages {

  private WebSocketMessages() {}

  /** Assembles one message; completes when all its fragments have arrived. */
  static CompletionStage<InboundFrame> assemble(Message message, int maxBytes, Materializer mat) {
    if (!message.isText()) {
      return message
          .asBinaryMessage()
          .getStreamedData()
          .runWith(Sink.ignore(), mat)
          .thenApply(done -> (InboundFrame) new InboundFrame.Binary());
    }
    TextMessage text = message.asTextMessage();
    if (text.isStrict()) {
      return CompletableFuture.completedFuture(InboundFrame.limited(text.getStrictText(), maxBytes));
    }
    return text.getStreamedText()
        .runFold(new Accumulator(maxBytes), Accumulator::add, mat)
        .thenApply(Accumulator::result);
  }

  /** Folds fragments, keeping text only while under the limit. Confined to one stream: not thread-safe. */
  static final class Accumulator {
    private final int maxBytes;
    /** The text so far while within the limit; emptied once it is exceeded. Owned by the folding stream. */
    private final StringBuilder text = new StringBuilder();
    private long bytes;

    Accumulator(int maxBytes) {
      this.maxBytes = maxBytes;
    }

    Accumulator add(String fragment) {
      bytes += InboundFrame.utf8Length(fragment);
      if (bytes <= maxBytes) {
        text.append(fragment);
      } else if (text.length() > 0) {
        text.setLength(0);
      }
      return this;
    }

    InboundFrame result() {
      return bytes <= maxBytes ? new InboundFrame.Text(text.toString()) : new InboundFrame.TooLarge(bytes);
    }
  }
}
