package dev.parley.core.visitor;

import dev.parley.core.serialization.CborSerializable;
import java.time.Instant;

/** One page the visitor opened, in the order opened; the time on a page runs until the next one. */
public record PageView(String url, String title, String referrer, Instant at) implements CborSerializable {}
