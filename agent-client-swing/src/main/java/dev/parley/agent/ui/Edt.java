package dev.parley.agent.ui;

import javax.swing.SwingUtilities;

/** The one way results reach the Swing thread. */
public final class Edt {

  private Edt() {}

  public static void run(Runnable task) {
    if (SwingUtilities.isEventDispatchThread()) {
      task.run();
    } else {
      SwingUtilities.invokeLater(task);
    }
  }
}
