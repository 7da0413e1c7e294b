package dev.parley.agent.ui;

import java.util.List;

/** The small built-in emoji set the picker offers; no download, no font assumptions beyond common glyphs. */
final class Emoji {

  static final List<String> ALL =
      List.of(
          "😀", "😄", "😊", "😉", "😍", "🤔", "😅", "😢", "🙏", "👍", "👎", "👋", "👏", "🎉", "❤️", "✅", "❌", "⭐",
          "🔥", "💡", "📦", "🚚", "💳", "📞", "✉️", "⏰", "🙂", "😂", "😮", "🤝");

  private Emoji() {}
}
