package dev.parley.agent.ui;

import io.nayuki.qrcodegen.QrCode;
import java.awt.Color;
import java.awt.Dimension;
import java.awt.Graphics;
import javax.swing.JComponent;

/**
 * A QR code drawn module by module, black on white with the standard quiet zone whatever the theme, scaled to whole
 * pixels per module so phones read it on any screen. Used for the {@code otpauth://} link of a two-factor enrolment:
 * the client encodes the link the server sent rather than parsing the server's SVG drawing of it.
 */
final class QrCodeView extends JComponent {

  /** Modules of white around the code, as the QR standard asks. */
  private static final int QUIET_ZONE_MODULES = 4;
  private static final int PREFERRED_PIXELS_PER_MODULE = 4;

  private final QrCode code;

  QrCodeView(String text) {
    this.code = QrCode.encodeText(text, QrCode.Ecc.MEDIUM);
    int side = (code.size + 2 * QUIET_ZONE_MODULES) * PREFERRED_PIXELS_PER_MODULE;
    setPreferredSize(new Dimension(side, side));
    setMinimumSize(getPreferredSize());
  }

  @Override
  protected void paintComponent(Graphics g) {
    int modules = code.size + 2 * QUIET_ZONE_MODULES;
    int scale = Math.max(1, Math.min(getWidth(), getHeight()) / modules);
    int left = (getWidth() - modules * scale) / 2;
    int top = (getHeight() - modules * scale) / 2;
    g.setColor(Color.WHITE);
    g.fillRect(left, top, modules * scale, modules * scale);
    g.setColor(Color.BLACK);
    for (int y = 0; y < code.size; y++) {
      for (int x = 0; x < code.size; x++) {
        if (code.getModule(x, y)) {
          g.fillRect(
              left + (x + QUIET_ZONE_MODULES) * scale, top + (y + QUIET_ZONE_MODULES) * scale, scale, scale);
        }
      }
    }
  }
}
