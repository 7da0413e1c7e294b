package dev.parley.edge.session;

/**
 * One frame as a transport hands it to a {@link Session}: its text, or the fact that it was too large or binary.
 * Transports assemble it (with the size limit applied while reading, never buffering an oversized frame whole);
 * the session decodes and answers it the same way whichever transport it came by.
 */
public sealed interface InboundFrame {

  record Text(String text) implements InboundFrame {}

  record TooLarge(long bytes) implements InboundFrame {}

  record Binary() implements InboundFrame {}

  /** A complete text as a frame: the text, or {@link TooLarge} beyond {@code maxBytes} of UTF-8. */
  static InboundFrame limited(String text, int maxBytes) {
    // A char is at most 3 UTF-8 bytes (surrogate pairs: 4 bytes for 2 chars), so short texts skip the count.
    if ((long) text.length() * 3 <= maxBytes) {
      return new Text(text);
    }
    long bytes = utf8Length(text);
    return bytes <= maxBytes ? new Text(text) : new TooLarge(bytes);
  }

  static long utf8Length(CharSequence s) {
    long bytes = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        bytes += 1;
      } else if (c < 0x800) {
        bytes += 2;
      } else if (Character.isHighSurrogate(c)) {
        bytes += 4;
        i++;
      } else {
        bytes += 3;
      }
    }
    return bytes;
  }
}
