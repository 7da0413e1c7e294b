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
    VisitorInfo ana = new VisitorInfo("c", "v9", "demo", null, "Ana", null, Map.of(), null, null, null, null, Map.of(),
        List.of(), null, List.of());
    assertThat(QuickReplies.fill("Hi {visitor.name}, I'm {agent.name}. Mail: {visitor.email}. {visitor.shoe}", ana, "Lin"))
        .isEqualTo("Hi Ana, I'm Lin. Mail: . {visitor.shoe}");
    assertThat(QuickReplies.fill("Cost: $5 {visitor.id}", ana, "Lin")).isEqualTo("Cost: $5 v9");
  }

  @Test
  void personalRepliesLoadFromTheirFileSkippingCommentsAndBlankLines() throws Exception {
    AgentHome home = new AgentHome(dir);
    QuickReplies.addPersonal(home, "Thanks {visitor.name}!\nAnything else?");
    Files.writeString(home.personalQuickReplies(), "\n# mine\n\n", java.nio.file.StandardOpenOption.APPEND);
    assertThat(QuickReplies.loadPersonal(home))
        .containsExactly(QuickReplies.Reply.personal("Thanks {visitor.name}!\nAnything else?"));
  }

  @Test
  void aConversationOffersPersonalRepliesThenOnlyItsOwnSitesTeamReplies() {
    List<QuickReplies.Reply> personal = List.of(QuickReplies.Reply.personal("mine"));
    QuickReplies.Reply demo = new QuickReplies.Reply("Our hours are 9-18.", "demo", "hours");
    QuickReplies.Reply shop = new QuickReplies.Reply("Free returns.", "shop", "returns");
    assertThat(QuickReplies.forSite(personal, List.of(demo, shop), "demo")).containsExactly(personal.get(0), demo);
    assertThat(QuickReplies.forSite(personal, List.of(demo, shop), null))
        .as("site not known yet: everything")
        .containsExactly(personal.get(0), demo, shop);
    assertThat(demo.team()).isTrue();
    assertThat(personal.get(0).team()).isFalse();
  }
}
