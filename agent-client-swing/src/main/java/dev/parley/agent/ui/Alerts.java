package dev.parley.agent.ui;

import dev.parley.agent.core.Texts;
import java.awt.AWTException;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.SystemTray;
import java.awt.Taskbar;
import java.awt.Toolkit;
import java.awt.TrayIcon;
import java.awt.image.BufferedImage;
import javax.swing.JFrame;
import javax.swing.Timer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes sure nobody misses a visitor: a tray notification, a beep and a request for attention (flashing taskbar
 * entry and title), repeated every {@value #REPEAT_MILLIS} ms while visitors wait unaccepted. Each channel is used
 * only where the platform has it (no tray under Xvfb, no audio on a server) and fails quietly otherwise. EDT only.
 */
final class Alerts {

  private static final Logger LOG = LoggerFactory.getLogger(Alerts.class);
  static final int REPEAT_MILLIS = 10_000;
  static final int FLASH_MILLIS = 800;

  private final JFrame frame;
  private final Texts texts;
  private final String title;
  private final TrayIcon tray;
  private final Timer repeat;
  private final Timer flash;
  // Owned by the EDT.
  private boolean flashOn;
  private int alertsRaised;

  Alerts(JFrame frame, Texts texts) {
    this.frame = frame;
    this.texts = texts;
    this.title = frame.getTitle();
    this.tray = installTray();
    this.repeat = new Timer(REPEAT_MILLIS, e -> raise(texts.get("alert.waiting")));
    this.flash = new Timer(FLASH_MILLIS, e -> toggleTitle());
  }

  private TrayIcon installTray() {
    if (!SystemTray.isSupported()) {
      LOG.info("no system tray on this desktop; notifications use sound and title only");
      return null;
    }
    BufferedImage image = new BufferedImage(16, 16, BufferedImage.TYPE_INT_ARGB);
    Graphics2D g = image.createGraphics();
    g.setColor(new Color(0x2f6fde));
    g.fillOval(1, 1, 14, 14);
    g.dispose();
    TrayIcon icon = new TrayIcon(image, "Parley");
    icon.setImageAutoSize(true);
    icon.addActionListener(e -> bringToFront());
    try {
      SystemTray.getSystemTray().add(icon);
      return icon;
    } catch (AWTException e) {
      LOG.info("system tray refused the icon: {}", e.toString());
      return null;
    }
  }

  /** Visitors are waiting: alert now and keep alerting until nobody waits. */
  void visitorsWaiting(boolean someoneNew) {
    if (someoneNew) {
      raise(texts.get("alert.newVisitor"));
    }
    if (!repeat.isRunning()) {
      repeat.start();
    }
  }

  void nobodyWaiting() {
    repeat.stop();
    if (frame.isActive()) {
      stopFlashing();
    }
  }

  /** A new visitor message: alert once unless the agent is already looking at it. */
  void newMessage(String preview, boolean visible) {
    if (!visible || !frame.isActive()) {
      raise(texts.get("alert.newMessage", preview));
    }
  }

  int alertsRaised() {
    return alertsRaised;
  }

  private void raise(String message) {
    alertsRaised++;
    if (tray != null) {
      tray.displayMessage("Parley", message, TrayIcon.MessageType.INFO);
    }
    try {
      Toolkit.getDefaultToolkit().beep();
    } catch (RuntimeException e) {
      LOG.debug("no beep: {}", e.toString());
    }
    if (Taskbar.isTaskbarSupported() && Taskbar.getTaskbar().isSupported(Taskbar.Feature.USER_ATTENTION_WINDOW)) {
      Taskbar.getTaskbar().requestWindowUserAttention(frame);
    }
    if (!frame.isActive() && !flash.isRunning()) {
      flash.start();
    }
  }

  private void toggleTitle() {
    if (frame.isActive()) {
      stopFlashing();
      return;
    }
    flashOn = !flashOn;
    frame.setTitle(flashOn ? "★ " + texts.get("alert.titleFlash") + " ★" : title);
  }

  private void stopFlashing() {
    flash.stop();
    flashOn = false;
    frame.setTitle(title);
  }

  private void bringToFront() {
    frame.setExtendedState(JFrame.NORMAL);
    frame.toFront();
  }

  void dispose() {
    repeat.stop();
    flash.stop();
    if (tray != null) {
      SystemTray.getSystemTray().remove(tray);
    }
  }
}
