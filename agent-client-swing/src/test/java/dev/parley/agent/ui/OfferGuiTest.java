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

  @BeforeAll
  static void start() throws Exception {
    assertThat(System.getenv("DISPLAY"))
        .as("OfferGuiTest opens real windows and needs a display: run the build under `xvfb-run -a mvn …`")
        .isNotBlank();
    assertThat(GraphicsEnvironment.isHeadless()).isFalse();
    server = LiveServer.start();
    String admin = server.login(server.admin());
    server.request("PUT", "/api/sites/demo/routing", admin,
        Map.of("policy", "least-busy", "defaultCapacity", 5), 200);
    agent = server.newAgent("offers");
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
    }
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
