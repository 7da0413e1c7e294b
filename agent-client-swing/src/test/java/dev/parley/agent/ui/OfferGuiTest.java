package dev.parley.agent.ui;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.agent.app.AgentApp;
import dev.parley.agent.core.AgentHome;
import dev.parley.agent.testing.Await;
import dev.parley.agent.testing.LiveServer;
import dev.parley.agent.testing.ScriptedVisitor;
import java.awt.GraphicsEnvironment;
import java.awt.KeyboardFocusManager;
import java.awt.Rectangle;
import java.awt.Robot;
import java.awt.event.KeyEvent;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import javax.imageio.ImageIO;
import javax.swing.JButton;
import javax.swing.JDialog;
import javax.swing.JFrame;
import javax.swing.JLabel;
import javax.swing.JPasswordField;
import javax.swing.JTabbedPane;
import javax.swing.JTextArea;
import javax.swing.JTextField;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Offers in a real window (Xvfb) against a real server with automatic assignment: a visitor writes, the prompt
 * rings with the visitor's first message and a countdown, and accepting (a click, then the shortcut while the
 * composer keeps the keyboard) opens the chat and the visitor sees the agent join. Its own server: offers would
 * disturb {@link AgentGuiTest}'s queue.
 */
class OfferGuiTest {

  private static LiveServer server;
  private static Path home;
  private static LiveServer.Account agent;
  /** A second agent of the site, never signed in: the transfer's target (named through /widget/agent). */
  private static String colleagueId;
  private static String colleagueName;

  @BeforeAll
  static void start() throws Exception {
    assertThat(System.getenv("DISPLAY"))
        .as("OfferGuiTest opens real windows and needs a display: run the build under `xvfb-run -a mvn …`")
        .isNotBlank();
    assertThat(GraphicsEnvironment.isHeadless()).isFalse();
    server = LiveServer.start();
    String admin = server.login(server.admin());
    agent = server.newAgent("offers");
    LiveServer.Account colleague = server.newAgent("colleague");
    colleagueId = server.request("GET", "/api/auth/me", server.login(colleague), null, 200)
        .path("account").path("id").asText();
    assertThat(colleagueId).isNotBlank();
    colleagueName = server.request("GET", "/widget/agent?site=demo&id=" + colleagueId, null, null, 200)
        .path("name").asText();
    // Automatic assignment; a Billing group whose only member (the colleague) is never online, so it takes no offer.
    server.request("PUT", "/api/sites/demo/routing", admin, Map.of(
        "policy", "least-busy", "defaultCapacity", 5,
        "groups", java.util.List.of(Map.of("id", "billing", "name", "Billing", "members", java.util.List.of(colleagueId)))),
        200);
    home = Files.createTempDirectory("parley-agent-offers");
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

  private static WorkspaceFrame signIn() {
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
    WorkspaceFrame workspace = (WorkspaceFrame) Gui.find("workspaceFrame", JFrame.class);
    JLabel banner = Gui.within(workspace, "connectionBanner", JLabel.class);
    Await.until("connected banner hidden", () -> Gui.onEdt(() -> !banner.isVisible()));
    return workspace;
  }

  /** Waits for the prompt to show the offer of {@code conversationId} with its first message. */
  private static JDialog promptFor(WorkspaceFrame workspace, String conversationId, String firstMessage) {
    OfferPrompt prompt = Gui.onEdt(workspace::offerPrompt);
    JDialog dialog = Gui.onEdt(prompt::window);
    JTextArea message = Gui.within(dialog, "offerMessage", JTextArea.class);
    Await.until("the prompt offers " + conversationId + " with its first message", () -> Gui.onEdt(() ->
        dialog.isShowing()
            && prompt.shown() != null
            && prompt.shown().conversationId().equals(conversationId)
            && message.getText().equals(firstMessage)));
    return dialog;
  }

  @Test
  void anOfferRingsShowsTheFirstMessageAndIsAcceptedByClickAndByShortcut() throws Exception {
    WorkspaceFrame workspace = signIn();
    OfferPrompt prompt = Gui.onEdt(workspace::offerPrompt);
    try (ScriptedVisitor first = new ScriptedVisitor(server);
        ScriptedVisitor second = new ScriptedVisitor(server)) {
      // 1. An offer rings; the prompt shows the visitor, the group and the first message, and counts down.
      String firstText = "Hello, my order 1234 has not arrived. Can you check?";
      String c1 = first.say(firstText);
      JDialog dialog = promptFor(workspace, c1, firstText);
      JLabel visitor = Gui.within(dialog, "offerVisitor", JLabel.class);
      JLabel group = Gui.within(dialog, "offerGroup", JLabel.class);
      JLabel countdown = Gui.within(dialog, "offerCountdown", JLabel.class);
      assertThat(Gui.<String>onEdt(visitor::getText)).matches("Visitor #\\d{4}");
      assertThat(Gui.<String>onEdt(group::getText)).isEqualTo("Any agent may take it");
      String firstCount = Gui.onEdt(countdown::getText);
      assertThat(firstCount).matches("Expires in \\d+ s");
      Await.until("the countdown moves", () -> !Gui.onEdt(countdown::getText).equals(firstCount));
      Await.until("the offer rings (played, or skipped silently without an audio device)",
          () -> Gui.onEdt(prompt::rings) >= 1);
      assertThat(Gui.<Boolean>onEdt(dialog::getFocusableWindowState))
          .as("the prompt never takes the keyboard").isFalse();
      screenshot(workspace, dialog, "agent-offer-prompt.png");

      Gui.run(() -> Gui.within(dialog, "offerAccept", JButton.class).doClick());
      ConversationPanel panel1 = Await.value("a tab for the accepted offer",
          () -> Gui.within(workspace, "conversation-" + c1, ConversationPanel.class));
      first.await(f -> "event".equals(f.path("type").asText()) && "joined".equals(f.path("kind").asText()));
      Await.until("the prompt is gone once answered", () -> Gui.onEdt(() -> !dialog.isShowing()));
      JTextArea transcript = Gui.within(panel1, "transcript", JTextArea.class);
      Await.until("the whole history in the accepted chat's transcript",
          () -> Gui.onEdt(transcript::getText).contains(firstText));

      // 2. The agent types in that chat; a second offer arrives and the composer keeps the keyboard.
      JTabbedPane tabs = Gui.find("conversationTabs", JTabbedPane.class);
      JTextArea composer = Gui.within(panel1, "composer", JTextArea.class);
      Gui.run(() -> {
        tabs.setSelectedComponent(panel1);
        workspace.toFront();
        workspace.requestFocus();
        composer.requestFocusInWindow();
      });
      Await.until("the composer has the keyboard", () -> Gui.onEdt(() ->
          KeyboardFocusManager.getCurrentKeyboardFocusManager().getFocusOwner() == composer));
      String secondText = "Do you ship to Hangzhou?";
      String c2 = second.say(secondText);
      promptFor(workspace, c2, secondText);
      Robot robot = new Robot();
      robot.setAutoDelay(20);
      for (int key : new int[] {KeyEvent.VK_O, KeyEvent.VK_K}) {
        robot.keyPress(key);
        robot.keyRelease(key);
      }
      Await.until("typing still reaches the composer while the prompt shows",
          () -> Gui.onEdt(composer::getText).equals("ok"));
      assertThat(Gui.<Object>onEdt(() -> KeyboardFocusManager.getCurrentKeyboardFocusManager().getFocusOwner()))
          .isSameAs(composer);

      robot.keyPress(KeyEvent.VK_CONTROL);
      robot.keyPress(KeyEvent.VK_SHIFT);
      robot.keyPress(KeyEvent.VK_A);
      robot.keyRelease(KeyEvent.VK_A);
      robot.keyRelease(KeyEvent.VK_SHIFT);
      robot.keyRelease(KeyEvent.VK_CONTROL);
      Await.value("a tab for the offer accepted by Ctrl+Shift+A",
          () -> Gui.within(workspace, "conversation-" + c2, ConversationPanel.class));
      second.await(f -> "event".equals(f.path("type").asText()) && "joined".equals(f.path("kind").asText()));
      assertThat(Gui.<String>onEdt(composer::getText)).as("the shortcut typed nothing").isEqualTo("ok");
      ConversationPanel panel2 = Gui.within(workspace, "conversation-" + c2, ConversationPanel.class);

      // 3. An internal note, written from the composer, shows in the transcript set apart.
      Gui.run(() -> tabs.setSelectedComponent(panel2));
      JTextArea composer2 = Gui.within(panel2, "composer", JTextArea.class);
      Gui.run(() -> {
        Gui.within(panel2, "noteMode", javax.swing.JToggleButton.class).doClick();
        composer2.setText("Courier called: parcel leaves today.");
        Gui.within(panel2, "send", JButton.class).doClick();
      });
      JTextArea transcript2 = Gui.within(panel2, "transcript", JTextArea.class);
      Await.until("the note in the transcript", () -> Gui.onEdt(transcript2::getText)
          .contains("✎ Note by Me: Courier called: parcel leaves today."));
      assertThat(Gui.<Integer>onEdt(() -> transcript2.getHighlighter().getHighlights().length))
          .as("the note's line is highlighted").isEqualTo(1);

      // 4. Transfer to the colleague, with a note, from the dialog with the site's agents and groups.
      Gui.run(() -> Gui.within(panel2, "noteMode", javax.swing.JToggleButton.class).doClick());
      javax.swing.SwingUtilities.invokeLater(() -> Gui.within(panel2, "transfer", JButton.class).doClick());
      JDialog transfer = Gui.find("transferDialog", JDialog.class);
      @SuppressWarnings("unchecked")
      javax.swing.JComboBox<TransferDialog.Choice> agents = Gui.within(transfer, "transferAgents", javax.swing.JComboBox.class);
      @SuppressWarnings("unchecked")
      javax.swing.JComboBox<TransferDialog.Choice> groups = Gui.within(transfer, "transferGroups", javax.swing.JComboBox.class);
      Await.until("the dialog lists the colleague by name and the Billing group", () -> Gui.onEdt(() ->
          agents.getItemCount() == 1 && agents.getItemAt(0).label().equals(colleagueName)
              && groups.getItemCount() == 1 && groups.getItemAt(0).label().equals("Billing")));
      Gui.run(() -> Gui.within(transfer, "transferNote", JTextArea.class).setText("Wants a refund for order 88."));
      screenshot(workspace, transfer, "agent-transfer-dialog.png");
      Gui.run(() -> Gui.within(transfer, "transferOk", JButton.class).doClick());
      second.await(f -> "event".equals(f.path("type").asText()) && "transferred".equals(f.path("kind").asText()));
      second.await(f -> "event".equals(f.path("type").asText()) && "joined".equals(f.path("kind").asText())
          && colleagueId.equals(f.path("author").path("id").asText()));
      Await.until("the transcript names the colleague who joined", () -> Gui.onEdt(transcript2::getText)
          .contains("— " + colleagueName + " joined —"));

      // 5. Closing asks once: Ctrl+W on the first chat, the question, "Close"; the visitor sees the end.
      Gui.run(() -> {
        tabs.setSelectedComponent(panel1);
        workspace.toFront(); // the transfer dialog had the window focus; without a window manager, ask for it back
        workspace.requestFocus();
        composer.requestFocusInWindow();
      });
      Await.until("the composer has the keyboard again", () -> Gui.onEdt(() ->
          KeyboardFocusManager.getCurrentKeyboardFocusManager().getFocusOwner() == composer));
      robot.keyPress(KeyEvent.VK_CONTROL);
      robot.keyPress(KeyEvent.VK_W);
      robot.keyRelease(KeyEvent.VK_W);
      robot.keyRelease(KeyEvent.VK_CONTROL);
      JButton confirm = Await.value("the close question", () -> Gui.onEdt(() -> closeButtonOfAQuestion()));
      assertThat(first.first(f -> "closed".equals(f.path("kind").asText()))).as("nothing closed before the answer").isNull();
      Gui.run(confirm::doClick);
      first.await(f -> "event".equals(f.path("type").asText()) && "closed".equals(f.path("kind").asText()));
      assertThat(second.first(f -> f.toString().contains("Courier called"))).as("the visitor never sees a note").isNull();
      assertThat(second.first(f -> f.toString().contains("refund"))).isNull();
    }
  }

  /** The "Close" button of a showing option dialog, or null. */
  private static JButton closeButtonOfAQuestion() {
    for (java.awt.Window w : java.awt.Window.getWindows()) {
      if (w instanceof JDialog d && d.isShowing() && d.getContentPane().getComponentCount() > 0
          && d.getContentPane().getComponent(0) instanceof javax.swing.JOptionPane) {
        JButton b = findButton(d, "Close");
        if (b != null) {
          return b;
        }
      }
    }
    return null;
  }

  private static JButton findButton(java.awt.Container c, String text) {
    for (java.awt.Component child : c.getComponents()) {
      if (child instanceof JButton b && text.equals(b.getText())) {
        return b;
      }
      if (child instanceof java.awt.Container inner) {
        JButton found = findButton(inner, text);
        if (found != null) {
          return found;
        }
      }
    }
    return null;
  }

  /** The workspace with the prompt over it, as a person sees them. */
  private static void screenshot(JFrame frame, JDialog dialog, String name) throws Exception {
    Rectangle bounds = Gui.onEdt(() -> frame.getBounds().union(dialog.getBounds()));
    Gui.run(() -> {
      frame.getRootPane().paintImmediately(frame.getRootPane().getVisibleRect());
      dialog.getRootPane().paintImmediately(dialog.getRootPane().getVisibleRect());
    });
    BufferedImage image = new Robot().createScreenCapture(bounds);
    Path target = Path.of("target", name);
    Files.createDirectories(target.getParent());
    ImageIO.write(image, "png", target.toFile());
    assertThat(Files.size(target)).isPositive();
  }
}
