package dev.parley.core;

import dev.parley.core.conversation.ConversationPeers;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** Records what a conversation tells its peers, for tests to await. */
public final class RecordingPeers implements ConversationPeers {

  public record Note(String kind, String siteId, String conversationId, String visitorId, String agentId) {}

  private final BlockingQueue<Note> notes = new LinkedBlockingQueue<>();

  @Override
  public void waiting(String siteId, String conversationId, String visitorId, Instant since) {
    notes.add(new Note("waiting", siteId, conversationId, visitorId, null));
  }

  @Override
  public void assigned(String siteId, String conversationId, String visitorId, String agentId) {
    notes.add(new Note("assigned", siteId, conversationId, visitorId, agentId));
  }

  @Override
  public void closed(String siteId, String conversationId, String visitorId, String agentId) {
    notes.add(new Note("closed", siteId, conversationId, visitorId, agentId));
  }

  /** The next note, waiting at most {@code within}; fails the test when none comes. */
  public Note next(Duration within) throws InterruptedException {
    Note note = notes.poll(within.toMillis(), TimeUnit.MILLISECONDS);
    if (note == null) {
      throw new AssertionError("no peer notification within " + within);
    }
    return note;
  }

  public Note nextOrNull(Duration within) throws InterruptedException {
    return notes.poll(within.toMillis(), TimeUnit.MILLISECONDS);
  }

  public void clear() {
    notes.clear();
  }
}
