package dev.parley.agent.ui;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.agent.app.AgentApp;
import dev.parley.agent.core.AgentHome;
import dev.parley.agent.core.QueueEntry;
import dev.parley.agent.core.QuickReplies;
import dev.parley.agent.testing.Await;
import dev.parley.agent.testing.LiveServer;
import dev.parley.agent.testing.ScriptedVisitor;
import java.awt.GraphicsEnvironment;
import java.awt.Rectangle;
import java.awt.Robot;
import java.awt.event.InputEvent;
import java.awt.event.KeyEvent;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import javax.swing.JButton;
import javax.swing.JComponent;
import javax.swing.JFrame;
import javax.swing.JLabel;
import javax.swing.JList;
import javax.swing.JMenuItem;
import javax.swing.UIManager;
import com.formdev.flatlaf.FlatDarkLaf;
import javax.swing.JPasswordField;
import javax.swing.JTabbedPane;
import javax.swing.JTextArea;
import javax.swing.JTextField;
import javax.swing.KeyStroke;
import javax.swing.ListCellRenderer;
import javax.swing.plaf.basic.BasicHTML;
import javax.swing.text.PlainDocument;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The real app in a real window (Xvfb in CI) against a real server: an agent signs in, a scripted visitor arrives,
 * the agent accepts, reads the visitor panel and replies, and the visitor receives the reply.
 */
class AgentGuiTest {

  private static LiveServer server;
  private static Path home;
  private static LiveServer.Account agent;
  private static boolean loggedIn;

  @BeforeAll
  static void start() throws Exception {
    String display = System.getenv("DISPLAY");
    assertThat(display)
        .as("AgentGuiTest opens real windows and needs a display: run the build under `xvfb-run -a mvn …` "
            + "(Debian package xvfb); DISPLAY is not set")
        .isNotBlank();
    assertThat(GraphicsEnvironment.isHeadless())
        .as("AWT is headless; the module's surefire argLine must keep -Djava.awt.headless=false")
        .isFalse();
    server = LiveServer.start();
    agent = server.newAgent("gui");
    home = Files.createTempDirectory("parley-agent-gui");
    Files.writeString(home.resolve("quick-replies.txt"), "Hello {visitor.id}, how can I help?\n");
    // Before the agent signs in, so the first read after the welcome finds it.
    server.addTeamQuickReply("intro", "Hi {visitor.name}, I'm {agent.name}. How can I help?");
  }

  @AfterAll
  static void stop() {
    Gui.run(() -> {
      for (java.awt.Window w : java.awt.Window.getWindows()) {
        w.dispose();
      }
    });
    if (server != null) {
      server.close();
    }
  }

  /** Signs in through the login window once; later tests reuse the workspace. */
  private static JFrame signIn() {
    if (!loggedIn) {
      Gui.run(() -> {
        AgentApp app = new AgentApp(new AgentHome(home));
        app.applyTheme();
        app.showLogin();
      });
      JTextField url = Gui.find("serverUrl", JTextField.class);
      JTextField username = Gui.find("username", JTextField.class);
      JPasswordField password = Gui.find("password", JPasswordField.class);
      JButton login = Gui.find("loginButton", JButton.class);
      Gui.run(() -> {
        url.setText(server.base().toString());
        username.setText(agent.username());
        password.setText(agent.password());
        login.doClick();
      });
      loggedIn = true;
      Await.until("settings remember the server and username", () -> Files.exists(home.resolve("settings.properties")));
      try {
        String settings = Files.readString(home.resolve("settings.properties"));
        assertThat(settings).contains(agent.username()).doesNotContain(agent.password());
      } catch (java.io.IOException e) {
        throw new AssertionError(e);
      }
    }
    JFrame workspace = Gui.find("workspaceFrame", JFrame.class);
    JLabel banner = Gui.within(workspace, "connectionBanner", JLabel.class);
    Await.until("connected banner hidden", () -> Gui.onEdt(() -> !banner.isVisible()));
    return workspace;
  }

  /** The visitor waits; the agent selects it in the queue and accepts; returns its conversation tab. */
  private static ConversationPanel acceptFromQueue(JFrame workspace, String conversationId, int alertsBefore) {
    @SuppressWarnings("unchecked")
    JList<QueueEntry> queue = Gui.find("queue", JList.class);
    Await.until("visitor listed in the waiting queue", () -> Gui.onEdt(() -> {
      for (int i = 0; i < queue.getModel().getSize(); i++) {
        if (queue.getModel().getElementAt(i).conversationId().equals(conversationId)) {
          queue.setSelectedIndex(i);
          return true;
        }
      }
      return false;
    }));
    Await.until("the new visitor was announced (sound, tray when present, attention)",
        () -> Gui.onEdt(((WorkspaceFrame) workspace)::alertsRaised) > alertsBefore);
    JButton accept = Gui.find("accept", JButton.class);
    Gui.run(accept::doClick);
    // A new conversation opens as a tab, not necessarily the selected (showing) one.
    ConversationPanel panel = Await.value("a tab for the accepted conversation",
        () -> Gui.within(workspace, "conversation-" + conversationId, ConversationPanel.class));
    Await.until("queue no longer lists the accepted visitor", () -> Gui.onEdt(() -> {
      for (int i = 0; i < queue.getModel().getSize(); i++) {
        if (queue.getModel().getElementAt(i).conversationId().equals(conversationId)) {
          return false;
        }
      }
      return true;
    }));
    return panel;
  }

  /** The visitor writes; the agent accepts from the queue and looks at the conversation's tab. */
  private static ConversationPanel openConversation(JFrame workspace, ScriptedVisitor visitor, String firstMessage) {
    int alertsBefore = Gui.onEdt(((WorkspaceFrame) workspace)::alertsRaised);
    String conversation = visitor.say(firstMessage);
    ConversationPanel panel = acceptFromQueue(workspace, conversation, alertsBefore);
    JTabbedPane tabs = Gui.find("conversationTabs", JTabbedPane.class);
    Gui.run(() -> tabs.setSelectedComponent(panel));
    return panel;
  }

  @Test
  void agentSignsInAcceptsAWaitingVisitorReadsThePanelAndReplies() throws Exception {
    JFrame workspace = signIn();
    try (ScriptedVisitor visitor = new ScriptedVisitor(server)) {
      ConversationPanel panel = openConversation(workspace, visitor, "Hi, is the green tea organic?");
      String visitorId = visitor.first(f -> "welcome".equals(f.path("type").asText())).path("visitorId").asText();

      JTextArea transcript = Gui.within(panel, "transcript", JTextArea.class);
      Await.until("visitor's message in the transcript", () -> Gui.onEdt(transcript::getText)
          .contains("Hi, is the green tea organic?"));
      JTextArea details = Gui.within(panel, "visitorDetails", JTextArea.class);
      Await.until("visitor id in the panel", () -> Gui.onEdt(details::getText).contains(visitorId));

      JTextArea composer = Gui.within(panel, "composer", JTextArea.class);
      Gui.run(() -> {
        composer.setText("Yes, it is certified organic.");
        Gui.within(panel, "send", JButton.class).doClick();
      });
      visitor.await(f -> "event".equals(f.path("type").asText())
          && "Yes, it is certified organic.".equals(f.path("text").asText()));
      Await.until("reply confirmed in the transcript", () -> Gui.onEdt(transcript::getText)
          .matches("(?s).*Me: Yes, it is certified organic\\.(\\s|$).*"));
      assertThat(Gui.<String>onEdt(composer::getText)).isEmpty();
      screenshot(workspace, "agent-gui-reply.png");
    }
  }

  @Test
  void visitorPanelShowsIdentityDeviceCampaignAndPagesAndFollowsNewPagesLive() throws Exception {
    JFrame workspace = signIn();
    try (ScriptedVisitor visitor = new ScriptedVisitor(server)) {
      visitor.page("https://shop.example/tea?utm_source=weibo&utm_campaign=double-11", "Jasmine tea",
          "https://weibo.com/post/1");
      visitor.identify("u-42", "Han Meimei", "han@example.com", Map.of("plan", "gold"));
      ConversationPanel panel = openConversation(workspace, visitor, "Which tea is best cold-brewed?");

      JLabel name = Gui.within(panel, "visitorName", JLabel.class);
      JTextArea details = Gui.within(panel, "visitorDetails", JTextArea.class);
      Await.until("the visitor's name heads the panel", () -> Gui.onEdt(name::getText).equals("Han Meimei"));
      Await.until("the page trail with its title", () -> Gui.onEdt(details::getText).contains("Jasmine tea"));
      String shown = Gui.onEdt(details::getText);
      assertThat(shown)
          .contains("Email: han@example.com")
          .contains("plan = gold")
          .contains("Identity: unverified")
          .contains("Presence: online")
          .contains("Android 14")
          .contains("mobile")
          .contains("Came from: https://weibo.com/post/1")
          .contains("source = weibo")
          .contains("campaign = double-11")
          .contains("https://shop.example/tea?utm_source=weibo&utm_campaign=double-11");
      assertThat(shown.lines().filter(l -> l.startsWith("Device: ")).findFirst().orElseThrow())
          .as("browser, OS and kind of device from the visitor's User-Agent")
          .contains("Chrome");

      visitor.page("https://shop.example/checkout", "Checkout", "https://shop.example/tea");
      Await.until("the new page shows up while the agent looks", () -> {
        String now = Gui.onEdt(details::getText);
        return now.contains("Checkout") && now.indexOf("Jasmine tea") < now.indexOf("Checkout");
      });
      screenshot(workspace, "agent-gui-visitor-panel.png");
    }
  }

  @Test
  void teamQuickReplyFromTheServerIsOfferedAfterThePersonalOneAndFilledIn() throws Exception {
    JFrame workspace = signIn();
    try (ScriptedVisitor visitor = new ScriptedVisitor(server)) {
      visitor.identify("u-ana", "Ana", "ana@example.com", Map.of());
      ConversationPanel panel = openConversation(workspace, visitor, "Hello?");
      Await.until("the visitor's name known", () -> Gui.onEdt(() -> "Ana".equals(panel.view().visitor().name())));
      Await.until("the team reply offered second, after the personal one", () -> Gui.onEdt(() -> {
        List<QuickReplies.Reply> offered = panel.quickReplies();
        return offered.size() == 2 && !offered.get(0).team() && "intro".equals(offered.get(1).shortcut());
      }));

      JTextArea composer = Gui.within(panel, "composer", JTextArea.class);
      Gui.run(() -> {
        composer.setText("");
        composer.requestFocusInWindow();
        // Ctrl+2 inserts the second reply, as bound in the conversation's input map.
        Object key = panel.getInputMap(JComponent.WHEN_ANCESTOR_OF_FOCUSED_COMPONENT)
            .get(KeyStroke.getKeyStroke(KeyEvent.VK_2, InputEvent.CTRL_DOWN_MASK));
        panel.getActionMap().get(key).actionPerformed(null);
      });
      assertThat(Gui.<String>onEdt(composer::getText))
          .isEqualTo("Hi Ana, I'm " + agent.username() + ". How can I help?");
    }
  }

  @Test
  void visitorMarkupIsShownAsLiteralTextNeverRendered() throws Exception {
    JFrame workspace = signIn();
    String markup = "<html><b>bold</b><img src=x>";
    String markupName = "<html><b>x</b>";
    try (ScriptedVisitor visitor = new ScriptedVisitor(server)) {
      visitor.identify("u-markup", markupName, "x@example.com", Map.of("note", markup));
      ConversationPanel panel = openConversation(workspace, visitor, markup);
      JTextArea transcript = Gui.within(panel, "transcript", JTextArea.class);
      Await.until("markup in the transcript", () -> Gui.onEdt(transcript::getText).contains(markup));

      // The visitor panel: the name heads it as typed, and every detail sits in a plain document.
      JLabel name = Gui.within(panel, "visitorName", JLabel.class);
      Await.until("the markup name shown as typed", () -> Gui.onEdt(name::getText).equals(markupName));
      assertThat(name.getClientProperty(Plain.HTML_DISABLE)).isEqualTo(Boolean.TRUE);
      assertThat(name.getClientProperty(BasicHTML.propertyKey)).as("no HTML view built").isNull();
      JTextArea details = Gui.within(panel, "visitorDetails", JTextArea.class);
      assertThat(Gui.<String>onEdt(details::getText)).contains("Name: " + markupName).contains("note = " + markup);
      assertThat(Gui.onEdt(() -> details.getDocument() instanceof PlainDocument)).isTrue();
      assertThat(details.getClientProperty(Plain.HTML_DISABLE)).isEqualTo(Boolean.TRUE);
      // The tab title carries the visitor's name too.
      JTabbedPane tabs = Gui.find("conversationTabs", JTabbedPane.class);
      JLabel tabTitle = Gui.onEdt(() -> (JLabel) tabs.getTabComponentAt(tabs.indexOfComponent(panel)));
      Await.until("the tab titled with the markup name", () -> Gui.onEdt(tabTitle::getText).startsWith(markupName));
      assertThat(tabTitle.getClientProperty(BasicHTML.propertyKey)).isNull();

      assertThat(Gui.onEdt(() -> transcript.getDocument() instanceof PlainDocument)).isTrue();
      assertThat(transcript.getClientProperty(Plain.HTML_DISABLE)).isEqualTo(Boolean.TRUE);
      assertThat(transcript.getClientProperty(BasicHTML.propertyKey)).isNull();

      // Every list cell that shows visitor-derived text is a label that will not render HTML.
      for (String listName : new String[] {"queue", "myConversations"}) {
        JList<?> list = Gui.find(listName, JList.class);
        assertThat(list.getClientProperty(Plain.HTML_DISABLE)).isEqualTo(Boolean.TRUE);
        @SuppressWarnings("unchecked")
        ListCellRenderer<Object> renderer = (ListCellRenderer<Object>) list.getCellRenderer();
        assertThat(((JLabel) renderer).getClientProperty(Plain.HTML_DISABLE)).isEqualTo(Boolean.TRUE);
      }
      // A label made by Plain with markup keeps the characters and builds no HTML view.
      JLabel label = Gui.onEdt(() -> Plain.label(markup));
      assertThat(label.getClientProperty(BasicHTML.propertyKey)).isNull();
      assertThat(label.getText()).isEqualTo(markup);
      screenshot(workspace, "agent-gui-markup.png");
    }
  }

  @Test
  void themeAndLanguageSwitchWhileConnectedAndAreRemembered() throws Exception {
    JFrame workspace = signIn();
    try {
      JMenuItem dark = Gui.within(workspace.getJMenuBar(), "theme-dark", JMenuItem.class);
      Gui.run(dark::doClick);
      assertThat(Gui.onEdt(() -> UIManager.getLookAndFeel() instanceof FlatDarkLaf)).isTrue();

      JMenuItem chinese = Gui.within(workspace.getJMenuBar(), "language-zh", JMenuItem.class);
      Gui.run(chinese::doClick);
      JFrame rebuilt = Await.value("a workspace window in Chinese", () -> Gui.onEdt(() -> {
        JFrame f = Gui.find("workspaceFrame", JFrame.class);
        JButton accept = Gui.within(f, "accept", JButton.class);
        return accept != null && accept.getText().startsWith("接入") ? f : null;
      }));
      JLabel banner = Gui.within(rebuilt, "connectionBanner", JLabel.class);
      assertThat(Gui.onEdt(banner::isVisible)).as("still connected after the rebuild").isFalse();
      screenshot(rebuilt, "agent-gui-dark-zh.png");
      String settings = Files.readString(home.resolve("settings.properties"));
      assertThat(settings).contains("theme=dark").contains("language=zh-CN");
    } finally {
      // Back to English and light for the other tests, whatever their order.
      JFrame current = Gui.find("workspaceFrame", JFrame.class);
      Gui.run(Gui.within(current.getJMenuBar(), "theme-light", JMenuItem.class)::doClick);
      Gui.run(Gui.within(current.getJMenuBar(), "language-en", JMenuItem.class)::doClick);
      Await.until("workspace back in English", () -> Gui.onEdt(() -> {
        JButton accept = Gui.within(Gui.find("workspaceFrame", JFrame.class), "accept", JButton.class);
        return accept != null && accept.getText().startsWith("Accept");
      }));
    }
  }

  @Test
  void theVisitorsTabListsABrowsingVisitorAndTheAgentInvitesThem() throws Exception {
    JFrame workspace = signIn();
    String title = "Oolong tea " + java.util.UUID.randomUUID().toString().substring(0, 6);
    try (ScriptedVisitor visitor = new ScriptedVisitor(server)) {
      visitor.page("https://shop.example/oolong", title, "https://www.bing.com/search?q=oolong");
      JTabbedPane sections = Gui.find("workspaceTabs", JTabbedPane.class);
      JComponent visitorsNow = Gui.within(workspace, "visitorsNow", JComponent.class);
      Gui.run(() -> sections.setSelectedComponent(visitorsNow));
      javax.swing.JTable table = Gui.find("visitorsTable", javax.swing.JTable.class);
      // The list arrives pushed (visitors, then visitorsChanged at most once a second): the row with this page.
      int row = Await.value("the browsing visitor listed with their page", () -> Gui.onEdt(() -> {
        for (int i = 0; i < table.getRowCount(); i++) {
          if (String.valueOf(table.getValueAt(i, 0)).startsWith(title)) {
            table.setRowSelectionInterval(i, i);
            return i;
          }
        }
        return null;
      }));
      assertThat(Gui.<String>onEdt(() -> String.valueOf(table.getValueAt(row, 3)))).contains("Chrome").contains("Android");
      assertThat(Gui.<String>onEdt(() -> String.valueOf(table.getValueAt(row, 1)))).matches("\\d+:\\d\\d");
      assertThat(Gui.<String>onEdt(() -> String.valueOf(table.getValueAt(row, 4)))).isEqualTo("—"); // not chatting
      assertThat(Gui.<Object>onEdt(() -> table.getClientProperty(BasicHTML.propertyKey))).isNull();

      JButton invite = Gui.find("invite", JButton.class);
      Await.until("Invite… enabled for the selected visitor", () -> Gui.onEdt(invite::isEnabled));
      Gui.run(invite::doClick); // the invitation window is not modal: the click returns
      JTextArea words = Gui.find("inviteText", JTextArea.class);
      Gui.run(() -> words.setText("Hi! Our oolong is 20% off today. Questions?"));
      screenshot(workspace, "agent-gui-invite.png");
      Gui.run(() -> Gui.find("inviteSend", JButton.class).doClick());
      var invitation = visitor.await(f -> "invitation".equals(f.path("type").asText()));
      assertThat(invitation.path("text").asText()).isEqualTo("Hi! Our oolong is 20% off today. Questions?");
      assertThat(invitation.path("agent").path("name").asText()).isNotBlank();

      dev.parley.agent.core.Texts en = new dev.parley.agent.core.Texts(dev.parley.agent.core.Texts.ENGLISH);
      dev.parley.agent.core.Texts zh = new dev.parley.agent.core.Texts(dev.parley.agent.core.Texts.CHINESE);
      JLabel status = Gui.find("visitorsStatus", JLabel.class);
      Await.until("the agent sees the invitation is on the visitor's screen", () -> Gui.onEdt(status::getText)
          .equals(en.get("visitors.invitationShown")) || Gui.onEdt(status::getText).equals(zh.get("visitors.invitationShown")));
      visitor.sendFrame(dev.parley.agent.core.Json.MAPPER.createObjectNode().put("type", "answerInvitation")
          .put("id", "close-1").put("invitationId", invitation.path("invitationId").asText()).put("answer", "close"));
      Await.until("the agent hears that the visitor closed it", () -> Gui.onEdt(status::getText)
          .equals(en.get("visitors.answer.closed")) || Gui.onEdt(status::getText).equals(zh.get("visitors.answer.closed")));
      screenshot(workspace, "agent-gui-visitors.png");

      // The visitor leaves the shop: the list drops them (10 s after their last connection closed).
      visitor.close();
      Await.until("the visitor left the list (10 s after the last connection)", () -> Gui.onEdt(() -> {
        for (int i = 0; i < table.getRowCount(); i++) {
          if (String.valueOf(table.getValueAt(i, 0)).startsWith(title)) {
            return false;
          }
        }
        return true;
      }));
      Gui.run(() -> sections.setSelectedIndex(0));
    }
  }

  private static void screenshot(JFrame frame, String name) throws Exception {
    Rectangle bounds = Gui.onEdt(() -> {
      frame.toFront();
      return frame.getBounds();
    });
    Gui.run(() -> frame.getRootPane().paintImmediately(frame.getRootPane().getVisibleRect()));
    BufferedImage image = new Robot().createScreenCapture(bounds);
    Path target = Path.of("target", name);
    Files.createDirectories(target.getParent());
    ImageIO.write(image, "png", target.toFile());
    assertThat(Files.size(target)).isPositive();
  }
}
