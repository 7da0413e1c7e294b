package dev.parley.agent.ui;

import dev.parley.agent.core.AgentClient;
import dev.parley.agent.core.ConnectionState;
import dev.parley.agent.core.ConversationView;
import dev.parley.agent.core.QueueEntry;
import dev.parley.agent.core.QuickReplies;
import dev.parley.agent.core.Texts;
import dev.parley.agent.core.TimelineEntry;
import dev.parley.agent.core.WorkspaceListener;
import java.awt.BorderLayout;
import java.awt.Color;
import java.awt.Component;
import java.awt.Dimension;
import java.awt.event.ActionEvent;
import java.awt.event.InputEvent;
import java.awt.event.KeyEvent;
import java.awt.event.WindowAdapter;
import java.awt.event.WindowEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import javax.swing.AbstractAction;
import javax.swing.Action;
import javax.swing.BorderFactory;
import javax.swing.ButtonGroup;
import javax.swing.DefaultListCellRenderer;
import javax.swing.DefaultListModel;
import javax.swing.JButton;
import javax.swing.JComponent;
import javax.swing.JFrame;
import javax.swing.JLabel;
import javax.swing.JList;
import javax.swing.JMenu;
import javax.swing.JMenuBar;
import javax.swing.JMenuItem;
import javax.swing.JPanel;
import javax.swing.JRadioButtonMenuItem;
import javax.swing.JScrollPane;
import javax.swing.JSplitPane;
import javax.swing.JTabbedPane;
import javax.swing.KeyStroke;
import javax.swing.ListSelectionModel;
import javax.swing.Timer;
import javax.swing.WindowConstants;

/**
 * The agent's workspace: the waiting queue, "my conversations" with unread counts, one tab per conversation,
 * the sites' visitors online now ({@link VisitorsNowPanel}), the connection banner, and menus for status, theme and language. It reacts to {@link WorkspaceListener} calls
 * (moved onto the EDT) and sends the person's commands to the {@link AgentClient}, which never blocks.
 */
public final class WorkspaceFrame extends JFrame {

  /** How often waiting times on screen are re-rendered (the model does not change, the clock does). */
  static final int CLOCK_TICK_MILLIS = 1_000;

  static final int REFUSAL_BANNER_MILLIS = 8_000;

  private final Texts texts;
  private final AgentClient client;
  private final List<QuickReplies.Reply> personalQuickReplies;
  private final JLabel banner = Plain.label(" ");
  private final DefaultListModel<QueueEntry> queueModel = new DefaultListModel<>();
  private final JList<QueueEntry> queueList = Plain.noHtml(new JList<>(queueModel));
  private final DefaultListModel<ConversationView> mineModel = new DefaultListModel<>();
  private final JList<ConversationView> mineList = Plain.noHtml(new JList<>(mineModel));
  private final JTabbedPane tabs = new JTabbedPane();
  private final Map<String, ConversationPanel> panels = new LinkedHashMap<>();
  private final Alerts alerts;
  private final OfferPrompt offers;
  private final VisitorsNowPanel visitorsNow;
  private final Timer clock;
  private final OnEdt listener = new OnEdt();
  // Owned by the EDT: true when the frame is rebuilt (language switch) and the client lives on.
  private boolean keepClient;

  public WorkspaceFrame(
      Texts texts,
      AgentClient client,
      List<QuickReplies.Reply> personalQuickReplies,
      String theme,
      Consumer<String> onTheme,
      Consumer<java.util.Locale> onLanguage) {
    super(texts.get("workspace.title", client.login().displayName()));
    setName("workspaceFrame");
    this.texts = texts;
    this.client = client;
    this.personalQuickReplies = personalQuickReplies;
    setDefaultCloseOperation(WindowConstants.DISPOSE_ON_CLOSE);
    banner.setName("connectionBanner");
    banner.setOpaque(true);
    banner.setBorder(BorderFactory.createEmptyBorder(4, 8, 4, 8));
    queueList.setName("queue");
    mineList.setName("myConversations");
    tabs.setName("conversationTabs");
    queueList.setSelectionMode(ListSelectionModel.SINGLE_SELECTION);
    queueList.setCellRenderer(new TextRenderer<>(QueueEntry.class, this::describeWaiting));
    mineList.setCellRenderer(new TextRenderer<>(ConversationView.class, this::describeMine));
    mineList.addListSelectionListener(e -> {
      ConversationView v = mineList.getSelectedValue();
      if (!e.getValueIsAdjusting() && v != null && panels.containsKey(v.id())) {
        tabs.setSelectedComponent(panels.get(v.id()));
      }
    });
    tabs.addChangeListener(e -> markSelectedRead());

    JButton accept = new JButton(acceptAction());
    accept.setName("accept");
    JPanel queuePanel = new JPanel(new BorderLayout());
    queuePanel.add(Plain.label(texts.get("workspace.queue")), BorderLayout.NORTH);
    queuePanel.add(new JScrollPane(queueList), BorderLayout.CENTER);
    queuePanel.add(accept, BorderLayout.SOUTH);
    JPanel minePanel = new JPanel(new BorderLayout());
    minePanel.add(Plain.label(texts.get("workspace.mine")), BorderLayout.NORTH);
    minePanel.add(new JScrollPane(mineList), BorderLayout.CENTER);
    JSplitPane left = new JSplitPane(JSplitPane.VERTICAL_SPLIT, queuePanel, minePanel);
    left.setResizeWeight(0.5);
    left.setPreferredSize(new Dimension(240, 500));
    // Conversations, and the sites' visitors online now (protocol §12), side by side as two tabs.
    visitorsNow = new VisitorsNowPanel(texts, client);
    client.visitorListLanguage(Texts.CHINESE.equals(texts.locale()) ? "zh-CN" : "en");
    JTabbedPane workspaceTabs = new JTabbedPane();
    workspaceTabs.setName("workspaceTabs");
    workspaceTabs.addTab(texts.get("workspace.conversations"), tabs);
    workspaceTabs.addTab(texts.get("visitors.tab"), visitorsNow);
    workspaceTabs.addChangeListener(e -> markSelectedRead());
    JSplitPane main = new JSplitPane(JSplitPane.HORIZONTAL_SPLIT, left, workspaceTabs);
    getContentPane().add(banner, BorderLayout.NORTH);
    getContentPane().add(main, BorderLayout.CENTER);
    setJMenuBar(menus(theme, onTheme, onLanguage));
    offers = new OfferPrompt(this, texts, client);
    bindKeys();
    setSize(1100, 700);
    setLocationRelativeTo(null);

    alerts = new Alerts(this, texts);
    clock = new Timer(CLOCK_TICK_MILLIS, e -> {
      queueList.repaint();
      mineList.repaint();
      visitorsNow.tick();
    });
    clock.start();
    addWindowListener(new WindowAdapter() {
      @Override
      public void windowActivated(WindowEvent e) {
        markSelectedRead();
      }

      @Override
      public void windowClosed(WindowEvent e) {
        clock.stop();
        alerts.dispose();
        offers.dispose();
        visitorsNow.dispose();
        client.workspace().removeListener(listener);
        if (!keepClient) {
          // Closing waits for the network thread; that wait must not freeze the EDT.
          Thread closer = new Thread(client::close, "parley-close");
          closer.start();
        }
      }
    });
    showConnection(client.workspace().connection(), null);
    client.workspace().addListener(listener);
    client.workspace().views().forEach(this::conversationChanged);
    queueChanged(client.workspace().queue(), false);
    offers.offersChanged(client.workspace().offers().open());
  }

  // Model → screen (EDT) ------------------------------------------------------------------------------------

  /** Moves every model call onto the EDT; the model calls it on its network thread. */
  private final class OnEdt implements WorkspaceListener {
    @Override
    public void connectionChanged(ConnectionState state, String detail) {
      Edt.run(() -> showConnection(state, detail));
    }

    @Override
    public void queueChanged(List<QueueEntry> waiting, boolean someoneNew) {
      Edt.run(() -> WorkspaceFrame.this.queueChanged(waiting, someoneNew));
    }

    @Override
    public void conversationChanged(ConversationView conversation) {
      Edt.run(() -> WorkspaceFrame.this.conversationChanged(conversation));
    }

    @Override
    public void offersChanged(List<dev.parley.agent.core.Offers.Offer> open) {
      Edt.run(() -> offers.offersChanged(open));
    }

    @Override
    public void visitorMessage(ConversationView conversation, TimelineEntry message) {
      Edt.run(() -> alerts.newMessage(
          conversation.title(), panels.get(conversation.id()) == tabs.getSelectedComponent()));
    }

    @Override
    public void refused(String conversationId, String ref, String code) {
      Edt.run(() -> {
        banner(texts.get("workspace.refused", code), new Color(0xfff4ce), true);
        // A refusal is news, not a state: after a while the banner shows the connection again.
        Timer restore = new Timer(REFUSAL_BANNER_MILLIS, e -> showConnection(client.workspace().connection(), null));
        restore.setRepeats(false);
        restore.start();
      });
    }
  }

  private void showConnection(ConnectionState state, String detail) {
    switch (state) {
      case ONLINE -> banner(texts.get("connection.online"), null, false);
      case CONNECTING -> banner(texts.get("connection.connecting"), new Color(0xfff4ce), true);
      case RECONNECTING -> banner(texts.get("connection.reconnecting"), new Color(0xfde7e9), true);
      case LOGGED_OUT -> banner(texts.get("connection.loggedOut"), new Color(0xfde7e9), true);
      case STOPPED -> banner(texts.get("connection.stopped"), new Color(0xfde7e9), true);
    }
  }

  private void banner(String text, Color background, boolean visible) {
    banner.setText(text);
    banner.setBackground(background);
    banner.setForeground(background == null ? null : Color.BLACK);
    banner.setVisible(visible);
  }

  private void queueChanged(List<QueueEntry> waiting, boolean someoneNew) {
    QueueEntry selected = queueList.getSelectedValue();
    queueModel.clear();
    waiting.forEach(queueModel::addElement);
    if (selected != null) {
      waiting.stream().filter(q -> q.conversationId().equals(selected.conversationId())).findFirst()
          .ifPresent(q -> queueList.setSelectedValue(q, false));
    }
    if (waiting.isEmpty()) {
      alerts.nobodyWaiting();
    } else {
      alerts.visitorsWaiting(someoneNew);
    }
  }

  private void conversationChanged(ConversationView v) {
    ConversationPanel panel = panels.get(v.id());
    if (panel == null) {
      panel = new ConversationPanel(v, texts, client, this::quickReplies);
      panels.put(v.id(), panel);
      tabs.addTab(null, panel);
      JLabel title = Plain.label(v.title());
      tabs.setTabComponentAt(tabs.indexOfComponent(panel), title);
      if (tabs.getTabCount() == 1) {
        tabs.setSelectedComponent(panel);
      }
    } else {
      panel.show(v);
    }
    JLabel title = (JLabel) tabs.getTabComponentAt(tabs.indexOfComponent(panel));
    title.setText(v.unread() > 0 ? v.title() + " (" + v.unread() + ")" : v.title());
    int at = indexInMine(v.id());
    if (at < 0) {
      mineModel.addElement(v);
    } else {
      mineModel.set(at, v);
    }
    if (panel == tabs.getSelectedComponent()) {
      markSelectedRead();
    }
  }

  /** The replies a conversation of {@code siteId} offers, with the team's as last read from the server. */
  private List<QuickReplies.Reply> quickReplies(String siteId) {
    return QuickReplies.forSite(personalQuickReplies, client.workspace().teamQuickReplies(), siteId);
  }

  private int indexInMine(String id) {
    for (int i = 0; i < mineModel.size(); i++) {
      if (mineModel.get(i).id().equals(id)) {
        return i;
      }
    }
    return -1;
  }

  private void markSelectedRead() {
    if (tabs.getSelectedComponent() instanceof ConversationPanel p && p.isShowing()) {
      client.markRead(p.conversationId());
    }
  }

  // Screen → client ---------------------------------------------------------------------------------------

  private Action acceptAction() {
    return new AbstractAction(texts.get("workspace.accept")) {
      @Override
      public void actionPerformed(ActionEvent e) {
        QueueEntry selected = queueList.getSelectedValue();
        if (selected == null && !queueModel.isEmpty()) {
          selected = queueModel.get(0); // accept the longest waiting by default
        }
        if (selected != null) {
          client.claim(selected.conversationId());
        }
      }
    };
  }

  void selectNextUnread() {
    int count = tabs.getTabCount();
    if (count == 0) {
      return;
    }
    int start = Math.max(0, tabs.getSelectedIndex());
    for (int step = 1; step <= count; step++) {
      int i = (start + step) % count;
      if (tabs.getComponentAt(i) instanceof ConversationPanel p && p.view() != null && p.view().unread() > 0) {
        tabs.setSelectedIndex(i);
        return;
      }
    }
    tabs.setSelectedIndex((start + 1) % count);
  }

  /** Ctrl+W: end an open conversation; a closed one's tab is removed. */
  void closeSelected() {
    if (tabs.getSelectedComponent() instanceof ConversationPanel p) {
      if (p.view() != null && !p.view().closed()) {
        p.closeWithConfirm(); // asks once; a second Ctrl+W on the closed tab removes it
      } else {
        tabs.remove(p);
        panels.remove(p.conversationId());
        int at = indexInMine(p.conversationId());
        if (at >= 0) {
          mineModel.remove(at);
        }
      }
    }
  }

  private void bindKeys() {
    JComponent root = getRootPane();
    bind(root, KeyStroke.getKeyStroke(KeyEvent.VK_TAB, InputEvent.CTRL_DOWN_MASK), "nextUnread", this::selectNextUnread);
    bind(root, KeyStroke.getKeyStroke(KeyEvent.VK_W, InputEvent.CTRL_DOWN_MASK), "closeConversation",
        this::closeSelected);
    bind(root, KeyStroke.getKeyStroke(KeyEvent.VK_A, InputEvent.CTRL_DOWN_MASK | InputEvent.SHIFT_DOWN_MASK),
        "accept", () -> {
          if (!offers.accept()) { // an offered chat first, else the selected (or longest waiting) visitor
            acceptAction().actionPerformed(null);
          }
        });
    bind(root, KeyStroke.getKeyStroke(KeyEvent.VK_D, InputEvent.CTRL_DOWN_MASK | InputEvent.SHIFT_DOWN_MASK),
        "declineOffer", () -> offers.decline());
    // Ctrl+Tab is normally focus traversal; take it so it can mean "next unread conversation".
    setFocusTraversalKeysEnabled(false);
    tabs.setFocusTraversalKeysEnabled(false);
  }

  private static void bind(JComponent root, KeyStroke key, String name, Runnable action) {
    root.getInputMap(JComponent.WHEN_IN_FOCUSED_WINDOW).put(key, name);
    root.getActionMap().put(name, new AbstractAction() {
      @Override
      public void actionPerformed(ActionEvent e) {
        action.run();
      }
    });
  }

  private JMenuBar menus(String theme, Consumer<String> onTheme, Consumer<java.util.Locale> onLanguage) {
    JMenuBar bar = new JMenuBar();
    JMenu status = new JMenu(texts.get("menu.status"));
    ButtonGroup statuses = new ButtonGroup();
    for (String s : List.of("online", "away", "offline")) {
      JRadioButtonMenuItem item = new JRadioButtonMenuItem(texts.get("status." + s), "online".equals(s));
      item.setName("status-" + s);
      item.addActionListener(e -> client.status(s));
      statuses.add(item);
      status.add(item);
    }
    JMenu view = new JMenu(texts.get("menu.view"));
    ButtonGroup themes = new ButtonGroup();
    for (String t : List.of(Themes.LIGHT, Themes.DARK)) {
      JRadioButtonMenuItem item = new JRadioButtonMenuItem(texts.get("theme." + t), t.equals(theme));
      item.setName("theme-" + t);
      item.addActionListener(e -> onTheme.accept(t));
      themes.add(item);
      view.add(item);
    }
    view.addSeparator();
    ButtonGroup languages = new ButtonGroup();
    for (java.util.Locale l : List.of(Texts.ENGLISH, Texts.CHINESE)) {
      JRadioButtonMenuItem item =
          new JRadioButtonMenuItem(l == Texts.ENGLISH ? "English" : "简体中文",
              l.getLanguage().equals(texts.locale().getLanguage()));
      item.setName("language-" + l.getLanguage());
      item.addActionListener(e -> onLanguage.accept(l));
      languages.add(item);
      view.add(item);
    }
    JMenu conversation = new JMenu(texts.get("menu.conversation"));
    JMenuItem next = new JMenuItem(texts.get("menu.nextUnread"));
    next.setAccelerator(KeyStroke.getKeyStroke(KeyEvent.VK_TAB, InputEvent.CTRL_DOWN_MASK));
    next.addActionListener(e -> selectNextUnread());
    JMenuItem close = new JMenuItem(texts.get("menu.close"));
    close.setAccelerator(KeyStroke.getKeyStroke(KeyEvent.VK_W, InputEvent.CTRL_DOWN_MASK));
    close.addActionListener(e -> closeSelected());
    conversation.add(next);
    conversation.add(close);
    bar.add(status);
    bar.add(view);
    bar.add(conversation);
    return bar;
  }

  // Renderers: visitor-derived text, so html.disable on the renderer label too. ------------------------------

  private String waited(Instant since) {
    if (since == null) {
      return "";
    }
    Duration d = Duration.between(since, Instant.now());
    long s = Math.max(0, d.getSeconds());
    return s < 60 ? texts.get("time.seconds", s) : texts.get("time.minutes", s / 60);
  }

  private String describeWaiting(QueueEntry q) {
    String who = q.visitorId() == null ? q.conversationId() : q.visitorId();
    return (who.length() > 8 ? who.substring(0, 8) : who) + "  ·  " + waited(q.since());
  }

  private String describeMine(ConversationView v) {
    StringBuilder text = new StringBuilder(v.title());
    if (v.closed()) {
      text.append("  ·  ").append(texts.get("conversation.closedShort"));
    } else if (v.unread() > 0) {
      text.append("  (").append(v.unread()).append(')');
    }
    if (!v.closed() && v.openedAt() != null) {
      text.append("  ·  ").append(waited(v.openedAt()));
    }
    return text.toString();
  }

  /** A list cell showing {@code describe(value)} as plain text. */
  private static final class TextRenderer<T> extends DefaultListCellRenderer {
    private final Class<T> type;
    private final java.util.function.Function<T, String> describe;

    TextRenderer(Class<T> type, java.util.function.Function<T, String> describe) {
      this.type = type;
      this.describe = describe;
      Plain.noHtml(this);
    }

    @Override
    public Component getListCellRendererComponent(
        JList<?> list, Object value, int index, boolean selected, boolean focus) {
      return super.getListCellRendererComponent(list, describe.apply(type.cast(value)), index, selected, focus);
    }
  }

  /** Closes this window but not the connection, for a rebuilt window to take over. */
  public void disposeKeepingClient() {
    keepClient = true;
    dispose();
  }

  /** How many times visitors or messages have been announced (tray, sound, attention); for tests. */
  OfferPrompt offerPrompt() {
    return offers;
  }

  int alertsRaised() {
    return alerts.alertsRaised();
  }

  // For tests and the app: the panel showing a conversation, or null.
  ConversationPanel panel(String conversationId) {
    return panels.get(conversationId);
  }
}
