package dev.parley.agent.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parley.agent.protocol.ClientFrame;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OutboxTest {

  @TempDir Path dir;

  private static ClientFrame.Send send(String id) {
    return new ClientFrame.Send(id, "c", "t");
  }

  @Test
  void pendingFramesSurviveANewInstanceInSendOrder() {
    Path file = dir.resolve("outbox.json");
    Outbox first = new Outbox(file);
    first.add(send("a"));
    first.add(send("b"));
    first.add(send("c"));
    first.remove("b");

    Outbox reopened = new Outbox(file);
    assertThat(reopened.pending()).extracting(ClientFrame.Request::id).containsExactly("a", "c");
    assertThat(Files.exists(dir.resolve("outbox.json.tmp"))).isFalse();
  }

  @Test
  void aCorruptFileIsMovedAsideNotLost() throws Exception {
    Path file = dir.resolve("outbox.json");
    Files.writeString(file, "{not json");
    Outbox outbox = new Outbox(file);
    assertThat(outbox.size()).isZero();
    try (var listing = Files.list(dir)) {
      assertThat(listing.map(p -> p.getFileName().toString())).anyMatch(n -> n.startsWith("outbox.json.corrupt-"));
    }
  }

  @Test
  void aFullOutboxRefusesNewFrames() {
    Outbox outbox = new Outbox(dir.resolve("full.json"));
    for (int i = 0; i < Outbox.MAX_OUTBOX_MESSAGES; i++) {
      outbox.add(send("m" + i));
    }
    assertThatThrownBy(() -> outbox.add(send("one-more"))).isInstanceOf(Outbox.FullException.class);
    outbox.add(send("m0")); // a resend of a held id is not growth
    assertThat(outbox.size()).isEqualTo(Outbox.MAX_OUTBOX_MESSAGES);
  }
}
