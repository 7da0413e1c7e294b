package dev.parley.agent.ui;

import dev.parley.agent.core.AgentClient;
import dev.parley.agent.core.Offers;
import dev.parley.agent.core.Texts;
import java.awt.BorderLayout;
import java.awt.Color;
import java.awt.Dimension;
import java.awt.FlowLayout;
import java.awt.Font;
import java.awt.GridLayout;
import java.awt.Point;
import java.util.List;
import javax.swing.BorderFactory;
import javax.swing.JButton;
import javax.swing.JDialog;
import javax.swing.JFrame;
import javax.swing.JLabel;
import javax.swing.JPanel;
import javax.swing.JScrollPane;
import javax.swing.JTextArea;
import javax.swing.Timer;

/**
 * The prompt for a chat the server offers (protocol §10): the visitor (name, else a stand-in such as "Visitor
 * #4821"), the group, the first message and a countdown to the offer's expiry, with Accept and Decline. It never
 * takes the keyboard from the composer: the window is not focusable, so it is answered by a click or by the
 * workspace's shortcuts (Ctrl+Shift+A, Ctrl+Shift+D). It rings ({@link Chime}) while any offer is open. The oldest
 * open offer is shown; "+N more" says how many follow. EDT only.
 */
final class OfferPrompt {

  static final int TICK_MILLIS = 250;
  private static final Color ACCENT = new Color(0x2f6fde);

  private final Texts texts;
  private final AgentClient client;
  private final JFrame owner;
  private final JDialog dialog;
  private final Chime chime = new Chime();
  private final JLabel visitor = Plain.label(" ");
  private final JLabel group = Plain.label(" ");
  private final JLabel countdown = Plain.label(" ");
  private final JLabel more = Plain.label(" ");
  private final JTextArea message = Plain.readOnlyArea("offerMessage");
  private final Timer tick;
  // Owned by the EDT: the offer on screen, null when none.
  private Offers.Offer shown;

  OfferPrompt(JFrame owner, Texts texts, AgentClient client) {
    this.owner = owner;
    this.texts = texts;
    this.client = client;
    dialog = new JDialog(owner, texts.get("offer.title"), false);
    dialog.setName("offerPrompt");
    dialog.setFocusableWindowState(false); // the composer keeps the keyboard
    dialog.setAutoRequestFocus(false);
    dialog.setAlwaysOnTop(true);
    dialog.setDefaultCloseOperation(JDialog.DO_NOTHING_ON_CLOSE);
    visitor.setName("offerVisitor");
    visitor.setFont(visitor.getFont().deriveFont(Font.BOLD, visitor.getFont().getSize2D() * 1.2f));
    group.setName("offerGroup");
    countdown.setName("offerCountdown");
    more.setName("offerMore");
    message.setRows(3);
    message.setFocusable(false);
    JLabel heading = Plain.label(texts.get("offer.title"));
    heading.setForeground(ACCENT);
    heading.setFont(heading.getFont().deriveFont(Font.BOLD));
    JPanel head = new JPanel(new GridLayout(0, 1, 0, 2));
    head.add(heading);
    head.add(visitor);
    head.add(group);
    JButton accept = new JButton(texts.get("offer.accept"));
    accept.setName("offerAccept");
    accept.setFocusable(false);
    accept.addActionListener(e -> accept());
    JButton decline = new JButton(texts.get("offer.decline"));
    decline.setName("offerDecline");
    decline.setFocusable(false);
    decline.addActionListener(e -> decline());
    JPanel buttons = new JPanel(new FlowLayout(FlowLayout.RIGHT, 6, 0));
    buttons.add(decline);
    buttons.add(accept);
    // The countdown on its own line above the buttons: in Chinese or with large fonts they would not fit beside.
    JPanel status = new JPanel(new BorderLayout());
    status.add(countdown, BorderLayout.WEST);
    status.add(more, BorderLayout.EAST);
    JPanel foot = new JPanel(new GridLayout(0, 1, 0, 6));
    foot.add(status);
    foot.add(buttons);
    JPanel content = new JPanel(new BorderLayout(0, 8));
    content.setBorder(BorderFactory.createCompoundBorder(
        BorderFactory.createCompoundBorder(
            BorderFactory.createLineBorder(ACCENT), BorderFactory.createMatteBorder(4, 0, 0, 0, ACCENT)),
        BorderFactory.createEmptyBorder(10, 12, 10, 12)));
    content.add(head, BorderLayout.NORTH);
    content.add(new JScrollPane(message), BorderLayout.CENTER);
    content.add(foot, BorderLayout.SOUTH);
    dialog.setContentPane(content);
    dialog.setSize(new Dimension(400, 280));
    tick = new Timer(TICK_MILLIS, e -> refresh());
  }

  /** The open offers changed (model call, moved to the EDT). */
  void offersChanged(List<Offers.Offer> open) {
    show(open);
  }

  /** The offer on screen, or null. */
  Offers.Offer shown() {
    return shown;
  }

  boolean accept() {
    if (shown == null) {
      return false;
    }
    client.acceptOffer(shown.conversationId());
    show(without(shown));
    return true;
  }

  boolean decline() {
    if (shown == null) {
      return false;
    }
    client.declineOffer(shown.conversationId());
    show(without(shown));
    return true;
  }

  int rings() {
    return chime.rings();
  }

  JDialog window() {
    return dialog;
  }

  void dispose() {
    tick.stop();
    chime.ring(false);
    dialog.dispose();
  }

  private List<Offers.Offer> without(Offers.Offer answered) {
    return client.workspace().offers().open().stream()
        .filter(o -> !o.conversationId().equals(answered.conversationId()))
        .toList();
  }

  private void refresh() {
    show(client.workspace().offers().open()); // drops the expired ones
  }

  private void show(List<Offers.Offer> open) {
    if (open.isEmpty()) {
      shown = null;
      tick.stop();
      chime.ring(false);
      dialog.setVisible(false);
      return;
    }
    shown = open.get(0);
    visitor.setText(shown.visitorName() != null
        ? shown.visitorName()
        : texts.get("offer.visitorStandIn", shown.standInNumber()));
    group.setText(shown.group() != null ? texts.get("offer.group", shown.group()) : texts.get("offer.anyGroup"));
    String first = shown.firstMessage() != null ? shown.firstMessage() : texts.get("offer.noMessageYet");
    if (!first.equals(message.getText())) {
      message.setText(first);
      message.setCaretPosition(0);
    }
    long left = client.workspace().offers().secondsLeft(shown);
    countdown.setText(left < 0 ? " " : texts.get("offer.expiresIn", left));
    countdown.setForeground(left >= 0 && left <= 10 ? new Color(0xc62828) : group.getForeground());
    more.setText(open.size() > 1 ? texts.get("offer.more", open.size() - 1) : " ");
    if (!dialog.isVisible()) {
      if (owner.isShowing()) { // top right of the workspace, clear of the composer
        Point at = owner.getLocationOnScreen();
        dialog.setLocation(at.x + owner.getWidth() - dialog.getWidth() - 16, at.y + 64);
      } else {
        dialog.setLocationRelativeTo(owner);
      }
      dialog.setVisible(true);
    }
    tick.start();
    chime.ring(true);
  }
}
