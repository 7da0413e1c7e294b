package dev.parley.edge.ws;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.http.javadsl.model.ws.Message;
import org.apache.pekko.http.javadsl.model.ws.TextMessage;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.javadsl.Sink;

/**
 * One WebSocket message from a client, assembled from its fragments with a size limit: the text of a frame, or the
 * fact that it was too large or binary. Oversized messages are drained and counted, never buffered whole.
 */
public sealed interface InboundFrame {

  record Text(String text) implements InboundFrame {}

  record TooLarge(long bytes) implements InboundFrame {}

  record Binary() implements InboundFrame {}

  /** Assembles one message; completes when all its fragments have arrived. */
  static CompletionStage<InboundFrame> assemble(Message message, int maxBytes, Materializer mat) {
    if (!message.isText()) {
      return message
          .asBinaryMessage()
          .getStreamedData()
          .runWith(Sink.ignore(), mat)
          .thenApply(done -> (InboundFrame) new Binary());
    }
    TextMessage text = message.asTextMessage();
    if (text.isStrict()) {
      return CompletableFuture.completedFuture(limited(text.getStrictText(), maxBytes));
    }
    return text.getStreamedText()
        .runFold(new Accumulator(maxBytes), Accumulator::add, mat)
        .thenApply(Accumulator::result);
  }

  static InboundFrame limited(String text, int maxBytes) {
    // A char is at most 3 UTF-8 bytes (surrogate pairs: 4 bytes for 2 chars), so short texts skip the count.
    if ((long) text.length() * 3 <= maxBytes) {
      return new Text(text);
    }
    long bytes = utf8Length(text);
    return bytes <= maxBytes ? new Text(text) : new TooLarge(bytes);
  }

  static long utf8Length(CharSequence s) {
    long bytes = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        bytes += 1;
      } else if (c < 0x800) {
        bytes += 2;
      } else if (Character.isHighSurrogate(c)) {
        bytes += 4;
        i++;
      } else {
        bytes += 3;
      }
    }
    return bytes;
  }

  /** Folds fragments, keeping text only while under the limit. Confined to one stream: not thread-safe. */
  final class Accumulator {
    private final int maxBytes;
    private final StringBuilder text = new StringBuilder();
    private long bytes;

    Accumulator(int maxBytes) {
      this.maxBytes = maxBytes;
    }

    Accumulator add(String fragment) {
      bytes += utf8Length(fragment);
      if (bytes <= maxBytes) {
        text.append(fragment);
      } else if (text.length() > 0) {
        text.setLength(0);
      }
      return this;
    }

    InboundFrame result() {
      return bytes <= maxBytes ? new Text(text.toString()) : new TooLarge(bytes);
    }
  }
}
