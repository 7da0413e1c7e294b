package dev.parley.agent.ui;

import dev.parley.agent.core.AgentClient;
import dev.parley.agent.core.Authors;
import dev.parley.agent.core.ConversationView;
import dev.parley.agent.core.QuickReplies;
import dev.parley.agent.core.Texts;
import dev.parley.agent.core.TimelineEntry;
import dev.parley.agent.core.NoteEntry;
import java.awt.BorderLayout;
import java.awt.Color;
import java.awt.FlowLayout;
import java.awt.event.ActionEvent;
import java.awt.event.InputEvent;
import java.awt.event.KeyEvent;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.function.Function;
import javax.swing.AbstractAction;
import javax.swing.JButton;
import javax.swing.JComponent;
import javax.swing.JLabel;
import javax.swing.JMenuItem;
import javax.swing.JOptionPane;
import javax.swing.JToggleButton;
import javax.swing.SwingUtilities;
import javax.swing.JPanel;
import javax.swing.JPopupMenu;
import javax.swing.JScrollPane;
import javax.swing.JSplitPane;
import javax.swing.JTextArea;
import javax.swing.KeyStroke;
import javax.swing.event.DocumentEvent;
import javax.swing.event.DocumentListener;

/**
 * One conversation: the transcript (plain text, so visitor markup stays text), the visitor panel, and the
 * composer with quick replies, emoji, typing indicator and read marks. It shows {@link ConversationView}s it is
 * given; it never asks the network anything itself.
 */
final class ConversationPanel extends JPanel {

  static final int MAX_QUICK_REPLY_SHORTCUTS = 9;
  static final Color NOTE_COLOUR = new Color(0xfff4c2);
  private static final javax.swing.text.Highlighter.HighlightPainter NOTE_PAINTER =
      new javax.swing.text.DefaultHighlighter.DefaultHighlightPainter(NOTE_COLOUR);
  /** Offsets of the note lines in the transcript's text, for their highlight; EDT only. */
  private final List<int[]> noteLines = new java.util.ArrayList<>();
  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm").withZone(ZoneId.systemDefault());

  private final String conversationId;
  private final Texts texts;
  private final AgentClient client;
  /** Site id (null while unknown) → the quick replies on offer; asked on the EDT whenever they are used. */
  private final Function<String, List<QuickReplies.Reply>> quickReplies;
  private final JTextArea transcript = Plain.readOnlyArea("transcript");
  private final JTextArea composer = Plain.noHtml(new JTextArea(3, 40));
  private final JLabel typingAndRead = Plain.label(" ");
  private final JButton send;
  private final JToggleButton noteMode;
  private final Color composerBackground;
  private final VisitorPanel visitorPanel;
  // Owned by the EDT; the latest view shown.
  private ConversationView view;

  ConversationPanel(
      ConversationView first,
      Texts texts,
      AgentClient client,
      Function<String, List<QuickReplies.Reply>> quickReplies) {
    super(new BorderLayout());
    this.conversationId = first.id();
    this.texts = texts;
    this.client = client;
    this.quickReplies = quickReplies;
    setName("conversation-" + conversationId);
    visitorPanel = new VisitorPanel(texts);
    composer.setName("composer");
    composer.setLineWrap(true);
    composer.setWrapStyleWord(true);
    typingAndRead.setName("typingAndRead");

    send = new JButton(new AbstractAction(texts.get("composer.send")) {
      @Override
      public void actionPerformed(ActionEvent e) {
        sendComposed();
      }
    });
    send.setName("send");
    JButton quick = new JButton(texts.get("composer.quickReplies"));
    quick.setName("quickReplies");
    quick.addActionListener(e -> showQuickReplies(quick));
    JButton emoji = new JButton("😊");
    emoji.setName("emoji");
    emoji.setToolTipText(texts.get("composer.emoji"));
    emoji.addActionListener(e -> showEmoji(emoji));

    noteMode = new JToggleButton(texts.get("conversation.noteMode"));
    noteMode.setName("noteMode");
    noteMode.setToolTipText(texts.get("conversation.noteModeTip"));
    composerBackground = composer.getBackground();
    noteMode.addActionListener(e -> showNoteMode());
    JButton transfer = new JButton(texts.get("conversation.transfer"));
    transfer.setName("transfer");
    transfer.addActionListener(e -> openTransfer());
    JButton close = new JButton(texts.get("conversation.close"));
    close.setName("closeConversation");
    close.addActionListener(e -> closeWithConfirm());

    JPanel tools = new JPanel(new FlowLayout(FlowLayout.LEADING, 4, 2));
    tools.add(quick);
    tools.add(emoji);
    tools.add(noteMode);
    tools.add(transfer);
    tools.add(close);
    tools.add(typingAndRead);
    JPanel composerPanel = new JPanel(new BorderLayout(4, 4));
    composerPanel.add(tools, BorderLayout.NORTH);
    composerPanel.add(new JScrollPane(composer), BorderLayout.CENTER);
    composerPanel.add(send, BorderLayout.EAST);

    JPanel chat = new JPanel(new BorderLayout());
    chat.add(new JScrollPane(transcript), BorderLayout.CENTER);
    chat.add(composerPanel, BorderLayout.SOUTH);
    JSplitPane split = new JSplitPane(JSplitPane.HORIZONTAL_SPLIT, chat, visitorPanel);
    split.setResizeWeight(0.75);
    add(split, BorderLayout.CENTER);

    bindKeys();
    composer.getDocument().addDocumentListener(new DocumentListener() {
      @Override
      public void insertUpdate(DocumentEvent e) {
        client.typing(conversationId, true);
      }

      @Override
      public void removeUpdate(DocumentEvent e) {
        client.typing(conversationId, composer.getDocument().getLength() > 0);
      }

      @Override
      public void changedUpdate(DocumentEvent e) {}
    });
    show(first);
  }

  private void bindKeys() {
    // Enter sends, Shift+Enter is a new line, Ctrl+Enter also sends (habits differ; both work).
    composer.getInputMap().put(KeyStroke.getKeyStroke(KeyEvent.VK_ENTER, 0), "send");
    composer.getInputMap().put(KeyStroke.getKeyStroke(KeyEvent.VK_ENTER, InputEvent.CTRL_DOWN_MASK), "send");
    composer.getInputMap().put(KeyStroke.getKeyStroke(KeyEvent.VK_ENTER, InputEvent.SHIFT_DOWN_MASK), "newline");
    composer.getActionMap().put("send", send.getAction());
    composer.getActionMap().put("newline", new AbstractAction() {
      @Override
      public void actionPerformed(ActionEvent e) {
        composer.replaceSelection("\n");
      }
    });
    getInputMap(JComponent.WHEN_ANCESTOR_OF_FOCUSED_COMPONENT).put(
        KeyStroke.getKeyStroke(KeyEvent.VK_N, InputEvent.CTRL_DOWN_MASK | InputEvent.SHIFT_DOWN_MASK), "noteMode");
    getActionMap().put("noteMode", new AbstractAction() {
      @Override
      public void actionPerformed(ActionEvent e) {
        noteMode.doClick();
      }
    });
    // "/" in an empty composer opens the quick replies, as in most chat tools.
    composer.getInputMap().put(KeyStroke.getKeyStroke('/'), "slash");
    composer.getActionMap().put("slash", new AbstractAction() {
      @Override
      public void actionPerformed(ActionEvent e) {
        if (composer.getDocument().getLength() == 0 && !quickReplies().isEmpty()) {
          showQuickReplies(composer);
        } else {
          composer.replaceSelection("/");
        }
      }
    });
    for (int i = 1; i <= MAX_QUICK_REPLY_SHORTCUTS; i++) {
      int index = i - 1;
      String key = "quick" + i;
      getInputMap(JComponent.WHEN_ANCESTOR_OF_FOCUSED_COMPONENT)
          .put(KeyStroke.getKeyStroke(KeyEvent.VK_0 + i, InputEvent.CTRL_DOWN_MASK), key);
      getActionMap().put(key, new AbstractAction() {
        @Override
        public void actionPerformed(ActionEvent e) {
          List<QuickReplies.Reply> offered = quickReplies();
          if (index < offered.size()) {
            insertQuickReply(offered.get(index));
          }
        }
      });
    }
  }

  /** The replies on offer in this conversation: the agent's own and its site's team replies. */
  List<QuickReplies.Reply> quickReplies() {
    return quickReplies.apply(view == null ? null : view.visitor().siteId());
  }

  String conversationId() {
    return conversationId;
  }

  JTextArea composer() {
    return composer;
  }

  void sendComposed() {
    String text = composer.getText().strip();
    if (text.isEmpty() || view == null) {
      return;
    }
    if (noteMode.isSelected()) {
      client.note(conversationId, text); // a note may be written on a closed conversation too
      composer.setText("");
      client.typing(conversationId, false);
      return;
    }
    if (view.closed()) {
      return;
    }
    client.send(conversationId, text);
    composer.setText("");
    client.typing(conversationId, false);
  }

  private void showNoteMode() {
    // A note is set apart while written, as it is once shown: the composer takes the notes' colour.
    composer.setBackground(noteMode.isSelected() ? NOTE_COLOUR : composerBackground);
    send.setText(texts.get(noteMode.isSelected() ? "conversation.noteMode" : "composer.send"));
    composer.setEditable(noteMode.isSelected() || view == null || !view.closed());
    composer.requestFocusInWindow();
  }

  /** Asks once, then closes; a closed conversation is closed without asking (its tab goes). */
  void closeWithConfirm() {
    if (view == null || view.closed()) {
      return;
    }
    Object[] options = {texts.get("close.yes"), texts.get("close.no")};
    int answer = JOptionPane.showOptionDialog(this, texts.get("close.question"), texts.get("close.title"),
        JOptionPane.YES_NO_OPTION, JOptionPane.QUESTION_MESSAGE, null, options, options[1]);
    if (answer == 0) {
      client.closeConversation(conversationId);
    }
  }

  private void openTransfer() {
    String site = view != null && view.visitor().siteId() != null ? view.visitor().siteId()
        : client.sites().isEmpty() ? null : client.sites().get(0);
    if (site == null) {
      return;
    }
    new TransferDialog(SwingUtilities.getWindowAncestor(this), texts, client, conversationId, site).setVisible(true);
  }

  void insertQuickReply(QuickReplies.Reply reply) {
    String agentName = client.login().displayName();
    composer.replaceSelection(QuickReplies.fill(reply.text(), view == null ? null : view.visitor(), agentName));
    composer.requestFocusInWindow();
  }

  private void showQuickReplies(JComponent anchor) {
    JPopupMenu menu = new JPopupMenu();
    List<QuickReplies.Reply> offered = quickReplies();
    if (offered.isEmpty()) {
      JMenuItem none = new JMenuItem(texts.get("composer.noQuickReplies"));
      none.setEnabled(false);
      menu.add(none);
    }
    for (int i = 0; i < offered.size(); i++) {
      QuickReplies.Reply reply = offered.get(i);
      String prefix = (i < MAX_QUICK_REPLY_SHORTCUTS ? "Ctrl+" + (i + 1) + "  " : "")
          + (reply.team() ? texts.get("composer.team") + " " : "")
          + (reply.shortcut() != null ? "/" + reply.shortcut() + "  " : "");
      JMenuItem item = Plain.noHtml(new JMenuItem(prefix + reply.text()));
      item.addActionListener(e -> insertQuickReply(reply));
      menu.add(item);
    }
    menu.show(anchor, 0, anchor.getHeight());
  }

  private void showEmoji(JComponent anchor) {
    JPopupMenu menu = new JPopupMenu();
    JPanel grid = new JPanel(new java.awt.GridLayout(0, 6, 2, 2));
    for (String e : Emoji.ALL) {
      JButton b = new JButton(e);
      b.addActionListener(a -> {
        composer.replaceSelection(e);
        menu.setVisible(false);
        composer.requestFocusInWindow();
      });
      grid.add(b);
    }
    menu.add(grid);
    menu.show(anchor, 0, anchor.getHeight());
  }

  /** On the EDT: show the newest state of this conversation. */
  void show(ConversationView v) {
    this.view = v;
    String text = render(v);
    if (!text.equals(transcript.getText())) {
      transcript.setText(text);
      transcript.setCaretPosition(transcript.getDocument().getLength());
      highlightNotes();
    }
    visitorPanel.show(v.visitor());
    String status = v.visitorTyping() ? texts.get("conversation.visitorTyping") : "";
    typingAndRead.setText(status.isEmpty() ? " " : status);
    boolean open = !v.closed();
    composer.setEditable(open || noteMode.isSelected());
    send.setEnabled(open);
  }

  private String render(ConversationView v) {
    StringBuilder out = new StringBuilder();
    noteLines.clear();
    List<NoteEntry> notes = new java.util.ArrayList<>(v.notes());
    notes.sort(java.util.Comparator.comparing(NoteEntry::at, java.util.Comparator.nullsLast(
        java.util.Comparator.naturalOrder())));
    int nextNote = 0;
    for (TimelineEntry e : v.timeline()) {
      // Notes go between the entries by time; those written after the last entry follow it.
      while (nextNote < notes.size() && e.at() != null && notes.get(nextNote).at() != null
          && notes.get(nextNote).at().isBefore(e.at())) {
        renderNote(out, notes.get(nextNote++));
      }
      String time = e.at() == null ? "--:--" : TIME.format(e.at());
      String me = client.login().accountId();
      Authors.Kind who = Authors.kind(e, me);
      switch (e.kind()) {
        case "message" -> {
          // System lines (automatic warnings…) are set apart like the joined and closed lines.
          out.append(time).append(who == Authors.Kind.SYSTEM ? "  ⚙ " : "  ")
              .append(Authors.label(e, me, client::agentName, texts))
              .append(": ")
              // An empty text is an erased message (privacy): its place stays, its words are gone.
              .append(e.text() == null || e.text().isEmpty() ? texts.get("conversation.erased") : e.text());
          if (e.pending()) {
            out.append("  (").append(texts.get("conversation.sending")).append(')');
          } else if (e.failedCode() != null) {
            out.append("  (").append(texts.get("conversation.failed", e.failedCode())).append(')');
          } else if (!e.fromVisitor() && e.seq() <= v.visitorReadSeq()) {
            out.append("  ✓✓ ").append(texts.get("conversation.read"));
          }
        }
        case "joined" -> out.append(time).append("  ").append(who == Authors.Kind.ME
            ? texts.get("conversation.joined")
            : texts.get("conversation.otherJoined", Authors.agent(e.authorId(), client::agentName, texts)));
        case "transferred" -> out.append(time).append("  ").append(texts.get("conversation.transferred",
            who == Authors.Kind.ME ? texts.get("conversation.agent")
                : Authors.agent(e.authorId(), client::agentName, texts)));
        case "closed" -> out.append(time).append("  ").append(texts.get("conversation.closed"));
        default -> out.append(time).append("  ").append(e.kind());
      }
      out.append('\n');
    }
    while (nextNote < notes.size()) {
      renderNote(out, notes.get(nextNote++));
    }
    return out.toString();
  }

  private void renderNote(StringBuilder out, NoteEntry n) {
    int start = out.length();
    String time = n.at() == null ? "--:--" : TIME.format(n.at());
    String author = client.login().accountId().equals(n.authorId())
        ? texts.get("conversation.agent") : Authors.agent(n.authorId(), client::agentName, texts);
    out.append(time).append("  ✎ ").append(texts.get("conversation.note", author)).append(": ").append(n.text());
    noteLines.add(new int[] {start, out.length()});
    out.append('\n');
  }

  /** Paints each note's line in the notes' colour (the transcript is plain text; the highlight is not text). */
  private void highlightNotes() {
    javax.swing.text.Highlighter h = transcript.getHighlighter();
    h.removeAllHighlights();
    for (int[] range : noteLines) {
      try {
        h.addHighlight(range[0], range[1], NOTE_PAINTER);
      } catch (javax.swing.text.BadLocationException e) {
        return; // the text changed under us; the next show paints again
      }
    }
  }

  ConversationView view() {
    return view;
  }
}
