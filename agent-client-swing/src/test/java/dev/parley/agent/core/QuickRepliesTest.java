package dev.parley.agent.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class QuickRepliesTest {

  @TempDir Path dir;

  @Test
  void variablesAreFilledAndUnknownOnesLeftVisible() {
    VisitorInfo ana = new VisitorInfo("c", "v9", "demo", null, "Ana", null, Map.of(), null, null, null, Map.of(),
        List.of(), null, List.of());
    assertThat(QuickReplies.fill("Hi {visitor.name}, I'm {agent.name}. Mail: {visitor.email}. {visitor.shoe}", ana, "Lin"))
        .isEqualTo("Hi Ana, I'm Lin. Mail: . {visitor.shoe}");
    assertThat(QuickReplies.fill("Cost: $5 {visitor.id}", ana, "Lin")).isEqualTo("Cost: $5 v9");
  }

  @Test
  void personalAndTeamRepliesLoadFromTheirFiles() throws Exception {
    AgentHome home = new AgentHome(dir);
    QuickReplies.addPersonal(home, "Thanks {visitor.name}!\nAnything else?");
    Files.writeString(home.teamQuickReplies(), "# team file\nOur hours are 9-18.\n\n");
    assertThat(QuickReplies.load(home))
        .containsExactly(
            new QuickReplies.Reply("Thanks {visitor.name}!\nAnything else?", false),
            new QuickReplies.Reply("Our hours are 9-18.", true));
  }
}
