package dev.parley.agent.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The timeline rules of protocol §5 as plain values: what is a duplicate and what contradicts the history held. */
class ConversationTest {

  private static final Instant AT = Instant.parse("2026-11-23T09:00:00Z");

  private static TimelineEntry message(long seq, String role, String author, String id, String text) {
    return new TimelineEntry(seq, "message", id, role, author, text, AT, false, null);
  }

  private static TimelineEntry joined(long seq, String agent) {
    return new TimelineEntry(seq, "joined", null, "agent", agent, null, AT, false, null);
  }

  private static Conversation held() {
    Conversation c = new Conversation("c-1", "v-1");
    c.add(message(1, "visitor", "v-1", "m-1", "hello"));
    c.add(joined(2, "a-1"));
    c.add(message(3, "agent", "a-1", "m-2", "hi"));
    return c;
  }

  @Test
  void theSameEntryAgainIsADuplicateWhateverItsText() {
    Conversation c = held();
    assertThat(c.add(message(1, "visitor", "v-1", "m-1", "hello"))).isEqualTo(Conversation.Added.DUPLICATE);
    assertThat(c.add(message(1, "visitor", "v-1", "m-1", "edited?"))).isEqualTo(Conversation.Added.DUPLICATE);
    assertThat(c.add(joined(2, "a-1"))).isEqualTo(Conversation.Added.DUPLICATE);
    assertThat(c.entries.get(1L).text()).isEqualTo("hello");
  }

  @Test
  void anotherKindAuthorOrIdAtAHeldSeqContradictsAndChangesNothing() {
    Conversation c = held();
    assertThat(c.add(message(1, "visitor", "v-1", "m-9", "hello"))).isEqualTo(Conversation.Added.CONTRADICTS);
    assertThat(c.add(message(1, "agent", "v-1", "m-1", "hello"))).isEqualTo(Conversation.Added.CONTRADICTS);
    assertThat(c.add(message(1, "visitor", "v-2", "m-1", "hello"))).isEqualTo(Conversation.Added.CONTRADICTS);
    assertThat(c.add(joined(3, "a-1"))).isEqualTo(Conversation.Added.CONTRADICTS);
    assertThat(c.entries).hasSize(3);
    assertThat(c.entries.get(1L).id()).isEqualTo("m-1");
  }

  @Test
  void aMessagesAckContradictsOnlyWhenItsSeqHoldsAnotherEntry() {
    // seq, message id -> consistent with the history held?
    Object[][] table = {
      {3L, "m-2", true}, // our message where we hold it
      {4L, "m-3", true}, // not held yet: its event will come
      {1L, "m-2", false}, // the visitor's message
      {2L, "m-2", false}, // a joined entry is no message
      {3L, "m-3", false}, // another message of ours
    };
    for (Object[] row : table) {
      assertThat(held().acked((Long) row[0], (String) row[1])).as("seq %s id %s", row[0], row[1])
          .isEqualTo(row[2]);
    }
  }

  @Test
  void anAckAheadOfItsEventIsCheckedWhenTheEventComes() {
    Conversation c = held();
    assertThat(c.acked(4, "m-3")).isTrue();
    assertThat(c.add(message(4, "agent", "a-1", "m-3", "on its way"))).isEqualTo(Conversation.Added.NEW);
    assertThat(c.ackedAhead).as("checked, then forgotten").isEmpty();
    assertThat(c.contiguousSeq).isEqualTo(4);
  }

  @Test
  void anotherEntryAtASeqAnAckGaveToOurMessageContradictsAndChangesNothing() {
    // kind, author and id of the entry that arrives at seq 4 after the ack of our m-3 named seq 4
    TimelineEntry[] others = {
      message(4, "visitor", "v-1", "v-9", "the visitor's"),
      message(4, "agent", "a-1", "m-4", "another of ours"),
      joined(4, "a-2"),
    };
    for (TimelineEntry other : others) {
      Conversation c = held();
      c.acked(4, "m-3");
      assertThat(c.add(other)).as("%s %s at seq 4", other.kind(), other.id()).isEqualTo(Conversation.Added.CONTRADICTS);
      assertThat(c.entries).hasSize(3);
      assertThat(c.highestSeq()).isEqualTo(3);
    }
  }

  @Test
  void twoAcksGivingOneSeqToTwoMessagesContradict() {
    Conversation c = held();
    assertThat(c.acked(4, "m-3")).isTrue();
    assertThat(c.acked(4, "m-3")).as("the same ack again").isTrue();
    assertThat(c.acked(4, "m-4")).isFalse();
  }

  @Test
  void discardForgetsTheHistoryAndReadMarksButNotTheVisitor() {
    Conversation c = held();
    c.myReadSeq = 3;
    c.visitorReadSeq = 3;
    c.acked(4, "m-3");
    c.discard();
    assertThat(c.entries).isEmpty();
    assertThat(c.ackedAhead).isEmpty();
    assertThat(c.highestSeq()).isZero();
    assertThat(c.contiguousSeq).isZero();
    assertThat(c.myReadSeq).isZero();
    assertThat(c.visitorReadSeq).isZero();
    assertThat(c.rebuilding).isTrue();
    assertThat(c.replaying).isTrue();
    assertThat(c.visitorId).isEqualTo("v-1");
    assertThat(c.add(message(1, "visitor", "v-1", "m-7", "another first"))).isEqualTo(Conversation.Added.NEW);
  }

  @Test
  void aReadMarkIsDueOnceAReplayIsOverAndOnlyForWhatIsNew() {
    Conversation c = held();
    assertThat(c.readMarkDue()).as("while its history is replayed").isZero();
    c.replaying = false;
    assertThat(c.readMarkDue()).isEqualTo(3);
    assertThat(c.readMarkDue()).as("sent already").isZero();
    c.add(message(4, "visitor", "v-1", "m-5", "one more"));
    assertThat(c.readMarkDue()).isEqualTo(4);
    c.add(message(6, "visitor", "v-1", "m-7", "after a gap"));
    assertThat(c.readMarkDue()).as("only up to the highest contiguous seq").isZero();
    c.discard();
    c.add(message(1, "visitor", "v-1", "m-1", "hello"));
    assertThat(c.readMarkDue()).as("a rebuild is a replay").isZero();
  }
}
