package dev.parley.agent.app;

import dev.parley.agent.core.AgentHome;
import javax.swing.SwingUtilities;

/** {@code java -jar parley-agent.jar}: sets properties, then builds all UI on the EDT. */
public final class AgentMain {

  private AgentMain() {}

  public static void main(String[] args) {
    // Let FlatLaf and Java2D scale by the screen's DPI; the JDK does this by default on 9+, say it anyway.
    System.setProperty("sun.java2d.uiScale.enabled", "true");
    System.setProperty("flatlaf.uiScale.allowScaleDown", "true");
    AgentHome home = AgentHome.fromSystem();
    SwingUtilities.invokeLater(
        () -> {
          AgentApp app = new AgentApp(home);
          app.applyTheme();
          app.showLogin();
        });
  }
}
