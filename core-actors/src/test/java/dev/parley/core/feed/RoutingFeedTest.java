package dev.parley.core.feed;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.core.common.Participant;
import dev.parley.core.conversation.Conversation;
import dev.parley.core.conversation.Conversation.Status;
import dev.parley.core.dispatcher.Dispatcher;
import dev.parley.core.feed.RoutingFeed.AgentAssigned;
import dev.parley.core.feed.RoutingFeed.AgentReleased;
import dev.parley.core.feed.RoutingFeed.DispatcherNoteAssigned;
import dev.parley.core.feed.RoutingFeed.Effect;
import dev.parley.core.feed.RoutingFeed.Enqueue;
import dev.parley.core.feed.RoutingFeed.Remove;
import dev.parley.core.feed.RoutingFeed.VisitorClosed;
import dev.parley.core.routing.RoutingHints;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The routing feed as a table: an event, the conversation's facts now, and the effects on other entities. */
class RoutingFeedTest {

  private static final Instant AT = Instant.parse("2026-11-23T10:00:00Z");
  private static final String C = "c1";

  private static Conversation.Facts facts(Status status, String agentId) {
    return new Conversation.Facts(C, "s1", "v1", status, agentId, agentId == null ? 0 : 2, AT, RoutingHints.NONE);
  }

  static Stream<Arguments> table() {
    RoutingHints billing = new RoutingHints("billing", null);
    return Stream.of(
        Arguments.of(
            "opened: queued at its site",
            new Conversation.Opened("s1", "v1", AT, billing),
            facts(Status.WAITING, null),
            List.of(new Enqueue("s1", C, "v1", AT, billing))),
        Arguments.of(
            "opened, replayed after it closed: not queued again",
            new Conversation.Opened("s1", "v1", AT, null),
            facts(Status.CLOSED, null),
            List.of()),
        Arguments.of(
            "opened, already claimed: queued (the dispatcher ignores what it assigned)",
            new Conversation.Opened("s1", "v1", AT, null),
            facts(Status.ASSIGNED, "a"),
            List.of(new Enqueue("s1", C, "v1", AT, RoutingHints.NONE))),
        Arguments.of(
            "joined by the holder: the dispatcher and the agent hear",
            new Conversation.AgentJoined(2, "a", AT),
            facts(Status.ASSIGNED, "a"),
            List.of(new DispatcherNoteAssigned("s1", C, "v1", "a"), new AgentAssigned("a", C))),
        Arguments.of(
            "joined, replayed after a transfer to b: only the agent's list, which the transfer then corrects",
            new Conversation.AgentJoined(2, "a", AT),
            facts(Status.ASSIGNED, "b"),
            List.of(new AgentAssigned("a", C))),
        Arguments.of(
            "transferred away: the old holder's list loses it",
            new Conversation.Transferred(3, "a", "b", null, AT, "a/t-1"),
            null,
            List.of(new AgentReleased("a", C))),
        Arguments.of(
            "closed while assigned: removed (capacity), the agent and the visitor hear",
            new Conversation.Closed(4, Participant.system(), AT),
            facts(Status.CLOSED, "a"),
            List.of(new Remove("s1", C, null), new AgentReleased("a", C), new VisitorClosed("s1", "v1", C))),
        Arguments.of(
            "closed while waiting: removed, missed even if never queued, and the visitor hears",
            new Conversation.Closed(2, Participant.system(), AT),
            facts(Status.CLOSED, null),
            List.of(
                new Remove("s1", C, new Dispatcher.Unanswered("v1", AT, RoutingHints.NONE)),
                new VisitorClosed("s1", "v1", C))),
        Arguments.of(
            "a message: nothing",
            new Conversation.MessagePosted(5, Participant.system(), "m", "hi", AT),
            null,
            List.of()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("table")
  void effectsOfAnEvent(String situation, Conversation.Event event, Conversation.Facts facts, List<Effect> expected) {
    assertThat(RoutingFeed.needsFacts(event)).isEqualTo(facts != null);
    assertThat(RoutingFeed.effectsOf(C, event, facts)).containsExactlyElementsOf(expected);
    if (!expected.isEmpty()) {
      // The feed reads only the events tagged for it: one with effects must carry the tag.
      assertThat(RoutingFeed.concerns(event)).as("tagged for the feed").isTrue();
      assertThat(Conversation.tagsOf(C, event)).contains(dev.parley.core.common.EventTags.tag("routing", C));
    }
  }

  @org.junit.jupiter.api.Test
  void aMessageCarriesOnlyItsConversationsTag() {
    var message = new Conversation.MessagePosted(5, Participant.system(), "m", "hi", AT);
    assertThat(RoutingFeed.concerns(message)).isFalse();
    assertThat(Conversation.tagsOf(C, message)).containsExactly(dev.parley.core.common.EventTags.tag("Conversation", C));
  }
}
