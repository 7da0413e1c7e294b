package dev.parley.core.conversation;

import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * Reads timeline entries older than a conversation's in-memory tail.
 *
 * <p>Declared here so that the core stays free of storage details; the persistence module implements it from the
 * event journal.
 */
public interface ConversationHistory {

  /** Maximum number of entries one call returns; callers page with {@code afterSeq}. */
  int MAX_ENTRIES_PER_READ = 500;

  /**
   * Entries with {@code afterSeq < seq <= upToSeq}, in seq order, at most {@link #MAX_ENTRIES_PER_READ} of them.
   */
  CompletionStage<List<Entry>> entries(String conversationId, long afterSeq, long upToSeq);
}
