package dev.parley.agent.core;

import java.time.Instant;

/** One waiting visitor from a {@code queue} frame. */
public record QueueEntry(String conversationId, String visitorId, Instant since) {}
