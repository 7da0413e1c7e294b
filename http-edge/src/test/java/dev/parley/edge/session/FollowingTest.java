package dev.parley.edge.session;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.core.common.Participant;
import dev.parley.core.common.Rejection;
import dev.parley.core.conversation.Conversation;
import dev.parley.core.conversation.Entry;
import dev.parley.edge.protocol.ServerFrame;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.apache.pekko.pattern.StatusReply;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.slf4j.LoggerFactory;

/**
 * {@link Following} without an actor: each case is a script of events (what the session hands it) and the
 * transcript it must produce (the frames it sends and the requests it makes, in order). Answers belong to the
 * conversation's latest sync unless a case says otherwise.
 */
class FollowingTest {

  static Stream<Arguments> cases() {
    return Stream.of(
        row(
            "the tail, then live entries, in order",
            script(follow("c", 0), subscribed("c", 3, 0, 1, 2, 3), live("c", 4), live("c", 5)),
            "subscribe c after 0",
            "event c 1", "event c 2", "event c 3", "synced c 3", "in sync c",
            "event c 4", "event c 5"),
        row(
            "a resume gets only what follows the seq it holds",
            script(follow("c", 2), subscribed("c", 4, 0, 3, 4)),
            "subscribe c after 2", "event c 3", "event c 4", "synced c 4", "in sync c"),
        row(
            "a gap is filled from the journal before anything newer is sent",
            script(
                follow("c", 0),
                subscribed("c", 7, 5, 6, 7),
                live("c", 8),
                historyRead("c", 1, 2, 3, 4, 5),
                subscribed("c", 8, 0, 6, 7, 8)),
            "subscribe c after 0",
            "history c after 0 up to 5",
            "event c 1", "event c 2", "event c 3", "event c 4", "event c 5",
            "subscribe c after 5",
            "event c 6", "event c 7", "event c 8", "synced c 8", "in sync c"),
        row(
            "history comes in pages until the tail starts",
            script(
                follow("c", 0),
                subscribed("c", 9, 6, 7, 8, 9),
                historyRead("c", 1, 2, 3),
                historyRead("c", 4, 5, 6),
                subscribed("c", 9, 0, 7, 8, 9)),
            "subscribe c after 0",
            "history c after 0 up to 6",
            "event c 1", "event c 2", "event c 3",
            "history c after 3 up to 6",
            "event c 4", "event c 5", "event c 6",
            "subscribe c after 6",
            "event c 7", "event c 8", "event c 9", "synced c 9", "in sync c"),
        row(
            "an empty page ends the journal part: the tail is asked for again",
            script(follow("c", 0), subscribed("c", 9, 6), historyRead("c")),
            "subscribe c after 0", "history c after 0 up to 6", "subscribe c after 0"),
        row(
            "live entries during a sync wait for it and keep their order",
            script(follow("c", 0), live("c", 3), live("c", 2), subscribed("c", 1, 0, 1)),
            "subscribe c after 0",
            "event c 1", "event c 2", "event c 3", "synced c 3", "in sync c"),
        row(
            "duplicates are dropped: live, in the answer, in the buffer",
            script(
                follow("c", 0),
                live("c", 1),
                subscribed("c", 2, 0, 1, 1, 2),
                live("c", 2),
                live("c", 1),
                live("c", 3),
                live("c", 3)),
            "subscribe c after 0",
            "event c 1", "event c 2", "synced c 2", "in sync c",
            "event c 3"),
        row(
            "a live entry after a gap is held and the gap fetched",
            script(follow("c", 0), subscribed("c", 1, 0, 1), live("c", 3), subscribed("c", 3, 0, 2, 3)),
            "subscribe c after 0", "event c 1", "synced c 1", "in sync c",
            "subscribe c after 1", "event c 2", "event c 3", "in sync c"),
        row(
            "a resume past the stored history is answered with the stored lastSeq",
            script(follow("c", 10), subscribed("c", 5, 0)),
            "subscribe c after 10", "synced c 5", "in sync c"),
        row(
            "a resume past the stored history gets the stored history from its end",
            script(follow("c", 10), subscribed("c", 5, 0), live("c", 6)),
            "subscribe c after 10", "synced c 5", "in sync c", "event c 6"),
        row(
            "the renewal finds what was appended while the entity had forgotten this subscriber",
            script(follow("c", 0), subscribed("c", 2, 0, 1, 2), renewal(), subscribed("c", 4, 0, 3, 4)),
            "subscribe c after 0", "event c 1", "event c 2", "synced c 2", "in sync c",
            "subscribe c after 2", "event c 3", "event c 4", "in sync c"),
        row(
            "the renewal leaves a conversation that is syncing alone",
            script(follow("c", 0), renewal()),
            "subscribe c after 0"),
        row(
            "a sync sends everything after afterSeq again, even what was sent",
            script(follow("c", 0), subscribed("c", 2, 0, 1, 2), sync("c", 0), subscribed("c", 2, 0, 1, 2)),
            "subscribe c after 0", "event c 1", "event c 2", "synced c 2", "in sync c",
            "subscribe c after 0", "event c 1", "event c 2", "synced c 2", "in sync c"),
        row(
            "following a followed conversation again announces it again",
            script(follow("c", 0), subscribed("c", 1, 0, 1), follow("c", 0), subscribed("c", 1, 0)),
            "subscribe c after 0", "event c 1", "synced c 1", "in sync c",
            "subscribe c after 1", "synced c 1", "in sync c"),
        row(
            "the answers of an abandoned sync are ignored",
            script(follow("c", 0), sync("c", 0), staleSubscribed("c", 1, 0, 1), subscribed("c", 1, 0, 1)),
            "subscribe c after 0", "subscribe c after 0", "event c 1", "synced c 1", "in sync c"),
        row(
            "a refused resume is reported and the conversation no longer followed",
            script(follow("c", 4), refused("c", Rejection.UNKNOWN_CONVERSATION), live("c", 5)),
            "subscribe c after 4", "error unknown-conversation c"),
        row(
            "a refusal of a conversation the client did not name is silent",
            script(followUnasked("c"), refused("c", Rejection.UNKNOWN_CONVERSATION)),
            "subscribe c after 0"),
        row(
            "a failed subscribe is retried later with a growing delay, then goes on",
            script(follow("c", 0), failed("c"), retry("c"), failed("c"), retry("c"), subscribed("c", 1, 0, 1)),
            "subscribe c after 0", "retry c in 500 ms", "subscribe c after 0", "retry c in 1000 ms",
            "subscribe c after 0", "event c 1", "synced c 1", "in sync c"),
        row(
            "a failed history read is retried from the subscribe",
            script(follow("c", 0), subscribed("c", 5, 3, 4, 5), historyFailed("c"), retry("c")),
            "subscribe c after 0", "history c after 0 up to 3", "retry c in 500 ms", "subscribe c after 0"),
        row(
            "a delayed history read reads from where delivery stands",
            script(
                follow("c", 0), subscribed("c", 9, 6, 7, 8, 9), historyRead("c", 1, 2), historyDue("c")),
            "subscribe c after 0", "history c after 0 up to 6", "event c 1", "event c 2",
            "history c after 2 up to 6", "history c after 2 up to 6"),
        row(
            "typing and read marks of a followed conversation pass; notes only to agents",
            script(
                follow("c", 0), typing("c"), read("c", 3), note("c", 1), typing("other")),
            "subscribe c after 0", "typing c", "read c 3"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void followsConversations(String name, List<Consumer<Script>> events, List<String> transcript) {
    Script script = new Script(false);
    events.forEach(event -> event.accept(script));
    assertThat(script.transcript).containsExactlyElementsOf(transcript);
  }

  @Test
  void bufferedOverflowIsFetchedAgainWhenTheNextEntryShowsTheGap() {
    Script script = new Script(false);
    follow("c", 0).accept(script);
    for (long seq = 1; seq <= Following.MAX_BUFFERED_ENTRIES + 10; seq++) {
      live("c", seq).accept(script);
    }
    subscribed("c", 0, 0).accept(script);
    assertThat(script.events("c")).containsExactlyElementsOf(seqs(1, Following.MAX_BUFFERED_ENTRIES));
    script.transcript.clear();

    live("c", Following.MAX_BUFFERED_ENTRIES + 11).accept(script);
    assertThat(script.transcript).containsExactly("subscribe c after " + Following.MAX_BUFFERED_ENTRIES);

    subscribed("c", 267, 0, LongStream.rangeClosed(Following.MAX_BUFFERED_ENTRIES + 1, 266).toArray())
        .accept(script);
    assertThat(script.events("c")).containsExactlyElementsOf(seqs(Following.MAX_BUFFERED_ENTRIES + 1, 267));
  }

  @Test
  void theFiveHundredAndFirstConversationIsRefusedAndAFollowedOneStillSyncs() {
    Script script = new Script(false);
    for (int i = 1; i <= Following.MAX_SUBSCRIPTIONS; i++) {
      follow("c" + i, 0).accept(script);
    }
    script.transcript.clear();

    follow("one-too-many", 0).accept(script);
    follow("c1", 0).accept(script);

    assertThat(script.transcript).containsExactly("error too-many-subscribers one-too-many", "subscribe c1 after 0");
    assertThat(script.following.follows("one-too-many")).isFalse();
  }

  @Test
  void agentsGetNotesLiveAndWithEverySynced() {
    Script script = new Script(true);
    Conversation.Note kept = new Conversation.Note(1, "a-1", "call back", Instant.EPOCH);
    script.apply(script.following.follow("c", 0, true));
    script.apply(
        script.following.subscribeAnswered(
            "c", script.generation("c"),
            StatusReply.success(
                new Conversation.Subscribed("c", summary("c", 0), List.of(), 0, List.of(), List.of(kept))),
            null));
    note("c", 2).accept(script);
    assertThat(script.transcript)
        .containsExactly("subscribe c after 0", "synced c 0", "note c 1", "in sync c", "note c 2");
  }

  @Test
  void retriesBackOffToTheirCap() {
    Script script = new Script(false);
    follow("c", 0).accept(script);
    for (int i = 0; i < 10; i++) {
      failed("c").accept(script);
      retry("c").accept(script);
    }
    assertThat(script.transcript).filteredOn(line -> line.startsWith("retry"))
        .containsExactly(
            "retry c in 500 ms", "retry c in 1000 ms", "retry c in 2000 ms", "retry c in 4000 ms",
            "retry c in 8000 ms", "retry c in 10000 ms", "retry c in 10000 ms", "retry c in 10000 ms",
            "retry c in 10000 ms", "retry c in 10000 ms");
  }

  // The script ---------------------------------------------------------------------------------------------------

  /** Drives one {@link Following} and writes down what it asks for; jitter is zero. */
  static final class Script {
    final Following following;
    final List<String> transcript = new ArrayList<>();
    /** The generation of each conversation's latest request, as the session would remember its timers and asks. */
    final Map<String, Long> generations = new HashMap<>();

    Script(boolean agent) {
      this.following = new Following("test", agent, () -> 0.0, LoggerFactory.getLogger(FollowingTest.class));
    }

    long generation(String conversationId) {
      return generations.getOrDefault(conversationId, -1L);
    }

    void apply(Following.Step step) {
      step.frames().forEach(frame -> transcript.add(describe(frame)));
      for (Following.Request request : step.requests()) {
        if (request instanceof Following.Subscribe s) {
          generations.put(s.conversationId(), s.generation());
          transcript.add("subscribe " + s.conversationId() + " after " + s.afterSeq());
        } else if (request instanceof Following.ReadHistory h) {
          generations.put(h.conversationId(), h.generation());
          transcript.add("history " + h.conversationId() + " after " + h.afterSeq() + " up to " + h.upToSeq());
        } else if (request instanceof Following.RetryLater r) {
          generations.put(r.conversationId(), r.generation());
          transcript.add("retry " + r.conversationId() + " in " + r.delay().toMillis() + " ms");
        } else if (request instanceof Following.InSync i) {
          transcript.add("in sync " + i.conversationId());
        }
      }
    }

    List<Long> events(String conversationId) {
      return transcript.stream()
          .filter(line -> line.startsWith("event " + conversationId + " "))
          .map(line -> Long.parseLong(line.substring(line.lastIndexOf(' ') + 1)))
          .toList();
    }

    private static String describe(ServerFrame frame) {
      if (frame instanceof ServerFrame.Event e) {
        return "event " + e.conversationId() + " " + e.seq();
      } else if (frame instanceof ServerFrame.Synced s) {
        return "synced " + s.conversationId() + " " + s.lastSeq();
      } else if (frame instanceof ServerFrame.Error e) {
        return "error " + e.code() + " " + e.conversationId();
      } else if (frame instanceof ServerFrame.Typing t) {
        return "typing " + t.conversationId();
      } else if (frame instanceof ServerFrame.Read r) {
        return "read " + r.conversationId() + " " + r.seq();
      } else if (frame instanceof ServerFrame.Note n) {
        return "note " + n.conversationId() + " " + n.noteSeq();
      }
      return frame.toString();
    }
  }

  // Events -------------------------------------------------------------------------------------------------------

  private static Consumer<Script> follow(String id, long afterSeq) {
    return s -> s.apply(s.following.follow(id, afterSeq, true));
  }

  /** Followed on the server's initiative (an assigned conversation, a send), not named by the client. */
  private static Consumer<Script> followUnasked(String id) {
    return s -> s.apply(s.following.follow(id, 0, false));
  }

  private static Consumer<Script> sync(String id, long afterSeq) {
    return s -> s.apply(s.following.sync(id, afterSeq));
  }

  /** The conversation's answer: its last seq, where its tail starts (0: it holds all), and the tail sent. */
  private static Consumer<Script> subscribed(String id, long lastSeq, long missingUpToSeq, long... tail) {
    return s -> s.apply(s.following.subscribeAnswered(id, s.generation(id), answer(id, lastSeq, missingUpToSeq, tail), null));
  }

  private static Consumer<Script> staleSubscribed(String id, long lastSeq, long missingUpToSeq, long... tail) {
    return s ->
        s.apply(s.following.subscribeAnswered(id, s.generation(id) - 1, answer(id, lastSeq, missingUpToSeq, tail), null));
  }

  private static Consumer<Script> refused(String id, Rejection rejection) {
    return s -> s.apply(s.following.subscribeAnswered(id, s.generation(id), rejection.reply(), null));
  }

  private static Consumer<Script> failed(String id) {
    return s ->
        s.apply(s.following.subscribeAnswered(id, s.generation(id), null, new java.util.concurrent.TimeoutException()));
  }

  private static Consumer<Script> historyRead(String id, long... seqs) {
    return s -> s.apply(s.following.historyRead(id, s.generation(id), entries(seqs), null));
  }

  private static Consumer<Script> historyFailed(String id) {
    return s -> s.apply(s.following.historyRead(id, s.generation(id), null, new IllegalStateException("db down")));
  }

  private static Consumer<Script> historyDue(String id) {
    return s -> s.apply(s.following.historyDue(id, s.generation(id)));
  }

  private static Consumer<Script> retry(String id) {
    return s -> s.apply(s.following.retryDue(id, s.generation(id)));
  }

  private static Consumer<Script> live(String id, long seq) {
    return s -> s.apply(s.following.notified(new Conversation.Appended(id, entry(seq))));
  }

  private static Consumer<Script> typing(String id) {
    return s -> s.apply(s.following.notified(new Conversation.TypingChanged(id, Participant.agent("a-1"), true)));
  }

  private static Consumer<Script> read(String id, long seq) {
    return s -> s.apply(s.following.notified(new Conversation.ReadMarked(id, Participant.visitor("v-1"), seq)));
  }

  private static Consumer<Script> note(String id, long noteSeq) {
    return s ->
        s.apply(
            s.following.notified(
                new Conversation.NoteAppended(id, new Conversation.Note(noteSeq, "a-1", "note", Instant.EPOCH))));
  }

  private static Consumer<Script> renewal() {
    return s -> s.apply(s.following.renewalDue());
  }

  // Values -------------------------------------------------------------------------------------------------------

  private static StatusReply<Conversation.Subscribed> answer(
      String id, long lastSeq, long missingUpToSeq, long... tail) {
    return StatusReply.success(
        new Conversation.Subscribed(id, summary(id, lastSeq), entries(tail), missingUpToSeq, List.of(), List.of()));
  }

  private static Conversation.Summary summary(String id, long lastSeq) {
    return new Conversation.Summary(id, "site", "v-1", Conversation.Status.WAITING, null, lastSeq, Instant.EPOCH);
  }

  private static List<Entry> entries(long... seqs) {
    return LongStream.of(seqs).mapToObj(FollowingTest::entry).toList();
  }

  private static Entry entry(long seq) {
    return new Entry(seq, Entry.Kind.MESSAGE, Participant.visitor("v-1"), "m-" + seq, "text " + seq, Instant.EPOCH);
  }

  private static List<Long> seqs(long from, long to) {
    return LongStream.rangeClosed(from, to).boxed().toList();
  }

  @SafeVarargs
  private static List<Consumer<Script>> script(Consumer<Script>... events) {
    return List.of(events);
  }

  private static Arguments row(String name, List<Consumer<Script>> events, String... transcript) {
    return Arguments.of(name, events, List.of(transcript));
  }
}
