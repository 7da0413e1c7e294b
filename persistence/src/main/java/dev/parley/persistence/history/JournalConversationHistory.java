package dev.parley.persistence.history;

import dev.parley.core.conversation.Conversation;
import dev.parley.core.conversation.ConversationHistory;
import dev.parley.core.conversation.Entry;
import java.util.List;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.persistence.jdbc.query.javadsl.JdbcReadJournal;
import org.apache.pekko.persistence.query.EventEnvelope;
import org.apache.pekko.persistence.query.PersistenceQuery;
import org.apache.pekko.persistence.query.javadsl.CurrentEventsByPersistenceIdQuery;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;

/**
 * {@link ConversationHistory} read straight from the event journal.
 *
 * <p>The journal keeps every event forever (snapshots do not delete events), so this is the complete history.
 * A timeline entry with seq {@code s} has a journal sequence number of at least {@code s + 1} (the conversation's
 * {@code Opened} event comes first), which lets a read skip what the caller already holds.
 */
public final class JournalConversationHistory implements ConversationHistory {

  private final CurrentEventsByPersistenceIdQuery journal;
  private final ActorSystem<?> system;

  public JournalConversationHistory(ActorSystem<?> system) {
    this.system = system;
    this.journal =
        PersistenceQuery.get(system)
            .getReadJournalFor(JdbcReadJournal.class, JdbcReadJournal.Identifier());
  }

  @Override
  public CompletionStage<List<Entry>> entries(String conversationId, long afterSeq, long upToSeq) {
    return entrySource(conversationId, afterSeq + 1)
        .dropWhile(entry -> entry.seq() <= afterSeq)
        .takeWhile(entry -> entry.seq() <= upToSeq)
        .take(MAX_ENTRIES_PER_READ)
        .runWith(Sink.seq(), system);
  }

  /** Every event of a conversation in journal order, from the given journal sequence number on. */
  public Source<EventEnvelope, ?> events(String conversationId, long fromSequenceNr) {
    String persistenceId = PersistenceId.of(Conversation.ENTITY_KEY.name(), conversationId).id();
    return journal.currentEventsByPersistenceId(persistenceId, fromSequenceNr, Long.MAX_VALUE);
  }

  private Source<Entry, ?> entrySource(String conversationId, long fromSequenceNr) {
    return events(conversationId, fromSequenceNr)
        .mapConcat(
            envelope -> {
              Entry entry = Entry.ofEventOrNull(envelope.event());
              return entry == null ? List.of() : List.of(entry);
            });
  }
}
