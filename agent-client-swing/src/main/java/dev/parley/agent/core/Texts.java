package dev.parley.agent.core;

import java.text.MessageFormat;
import java.util.Locale;
import java.util.MissingResourceException;
import java.util.ResourceBundle;

/**
 * User-facing strings in the chosen language (English or Simplified Chinese), from
 * {@code dev/parley/agent/texts*.properties}. The OS locale picks the default; the person can switch.
 */
public final class Texts {

  public static final Locale ENGLISH = Locale.ENGLISH;
  public static final Locale CHINESE = Locale.SIMPLIFIED_CHINESE;

  private final ResourceBundle bundle;

  public Texts(Locale locale) {
    // No fallback to the JVM default locale: an English agent on a Chinese OS who chose English gets English.
    this.bundle =
        ResourceBundle.getBundle(
            "dev.parley.agent.texts", locale, ResourceBundle.Control.getNoFallbackControl(
                ResourceBundle.Control.FORMAT_PROPERTIES));
  }

  /** Chinese for a Chinese OS, else English: the two languages the client ships. */
  public static Locale defaultFor(Locale os) {
    return "zh".equals(os.getLanguage()) ? CHINESE : ENGLISH;
  }

  public Locale locale() {
    return bundle.getLocale().getLanguage().isEmpty() ? ENGLISH : bundle.getLocale();
  }

  public String get(String key, Object... args) {
    try {
      String pattern = bundle.getString(key);
      return args.length == 0 ? pattern : new MessageFormat(pattern, locale()).format(args);
    } catch (MissingResourceException e) {
      return key; // visible in the UI, and caught by the bundle test
    }
  }
}
