package dev.parley.agent.core;

import java.time.Instant;

/** An internal note (protocol §10 {@code note}): agents only, numbered by {@code noteSeq} apart from the timeline. */
public record NoteEntry(long noteSeq, String authorId, String text, Instant at) {}
