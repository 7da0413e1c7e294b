package dev.parley.agent.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** Authors as the agent reads them: "Me" only for the agent's own account, others by name, the system apart. */
class AuthorsTest {

  private static final String ME = "acc-me-0001";
  private static final String OTHER = "acc-lin-0002";
  private static final Function<String, String> NAMES = Map.of(OTHER, "Lin")::get;
  private static final Function<String, String> NONE = id -> null;

  private static TimelineEntry message(String role, String id) {
    return new TimelineEntry(3, "message", "m-1", role, id, "hello", Instant.EPOCH, false, null);
  }

  @Test
  void onlyTheAgentsOwnMessagesAreMe() {
    Texts en = new Texts(Texts.ENGLISH);
    assertThat(Authors.label(message("agent", ME), ME, NAMES, en)).isEqualTo("Me");
    assertThat(Authors.label(message("agent", OTHER), ME, NAMES, en)).isEqualTo("Lin");
    assertThat(Authors.label(message("agent", OTHER), ME, NONE, en))
        .as("a stand-in until the name is read").isEqualTo("Agent acc-lin-");
    assertThat(Authors.label(message("visitor", "v-1"), ME, NAMES, en)).isEqualTo("Visitor");
    assertThat(Authors.label(message("system", null), ME, NAMES, en)).isEqualTo("System");
    assertThat(Authors.kind(message("system", null), ME)).isEqualTo(Authors.Kind.SYSTEM);
    TimelineEntry pending = new TimelineEntry(0, "message", "m-2", "agent", null, "hi", null, true, null);
    assertThat(Authors.kind(pending, ME)).as("our outbox's message before the welcome named us").isEqualTo(Authors.Kind.ME);
    assertThat(Authors.kind(message("agent", OTHER), null))
        .as("before the welcome, nobody else is taken for us").isEqualTo(Authors.Kind.AGENT);
  }

  @Test
  void inChineseToo() {
    Texts zh = new Texts(Texts.CHINESE);
    assertThat(Authors.label(message("agent", ME), ME, NAMES, zh)).isEqualTo("我");
    assertThat(Authors.label(message("agent", OTHER), ME, NONE, zh)).isEqualTo("客服 acc-lin-");
    assertThat(Authors.label(message("system", null), ME, NAMES, zh)).isEqualTo("系统");
  }
}
