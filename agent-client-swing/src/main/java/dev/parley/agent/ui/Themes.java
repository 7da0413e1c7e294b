package dev.parley.agent.ui;

import com.formdev.flatlaf.FlatDarkLaf;
import com.formdev.flatlaf.FlatLaf;
import com.formdev.flatlaf.FlatLightLaf;
import java.awt.Window;
import javax.swing.SwingUtilities;

/** FlatLaf light and dark; switching repaints every open window. FlatLaf scales by the screen's DPI itself. */
public final class Themes {

  public static final String LIGHT = "light";
  public static final String DARK = "dark";

  private Themes() {}

  public static void apply(String theme) {
    if (DARK.equals(theme)) {
      FlatDarkLaf.setup();
    } else {
      FlatLightLaf.setup();
    }
  }

  /** On the EDT: change the look of everything already on screen. */
  public static void switchTo(String theme) {
    apply(theme);
    FlatLaf.updateUI();
    for (Window w : Window.getWindows()) {
      SwingUtilities.updateComponentTreeUI(w);
    }
  }
}
