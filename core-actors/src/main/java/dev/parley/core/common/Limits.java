package dev.parley.core.common;

/** Size limits that are business rules, shared by the entities and quoted by the edge in its welcome frame. */
public final class Limits {
  /** Longest message text, in UTF-16 chars (what a browser's {@code String.length} counts). */
  public static final int MAX_TEXT_CHARS = 4000;
  /** Longest client message id. UUIDs are 36; this leaves room for prefixes. */
  public static final int MAX_CLIENT_MESSAGE_ID_CHARS = 64;

  private Limits() {}
}
