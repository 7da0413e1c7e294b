package dev.parley.agent.ui;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.agent.core.AuthApi;
import dev.parley.agent.core.Settings;
import dev.parley.agent.core.Texts;
import dev.parley.agent.testing.Await;
import dev.parley.agent.testing.AuthenticatorApp;
import dev.parley.agent.testing.LiveServer;
import java.awt.GraphicsEnvironment;
import java.awt.Rectangle;
import java.awt.Robot;
import java.awt.image.BufferedImage;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicReference;
import javax.imageio.ImageIO;
import javax.swing.JButton;
import javax.swing.JPanel;
import javax.swing.JPasswordField;
import javax.swing.JTextArea;
import javax.swing.JTextField;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The login window's two-factor steps in a real window (Xvfb in CI) against a real server, driven as a person
 * would: the code of an authenticator app after the password, and setting two-factor sign-in up where a site
 * demands it. Codes are computed by java-otp from the secret the server gave.
 */
class LoginWindowTest {

  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static LiveServer server;
  private static Path home;
  // Owned by the test thread; the frame is touched on the EDT only.
  private LoginFrame frame;
  private final AtomicReference<AuthApi.Login> signedIn = new AtomicReference<>();

  @BeforeAll
  static void start() throws Exception {
    assertThat(System.getenv("DISPLAY"))
        .as("LoginWindowTest opens real windows: run the build under `xvfb-run -a mvn …`; DISPLAY is not set")
        .isNotBlank();
    assertThat(GraphicsEnvironment.isHeadless()).isFalse();
    server = LiveServer.start();
    home = Files.createTempDirectory("parley-login-window");
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  @AfterEach
  void closeWindow() {
    if (frame != null) {
      Gui.run(frame::dispose);
    }
  }

  @Test
  void anAccountWithTwoFactorSignInEntersTheCodeOfItsAppAfterAWrongOne() {
    LiveServer.Account account = server.newAgent("demo", "gui-tf", server.login(server.admin()));
    String secret = server.enrolTwoFactor(server.login(account));
    Texts texts = new Texts(Texts.ENGLISH);
    open(texts);
    passwordStep(account);

    JTextField code = Gui.find("code", JTextField.class);
    JButton verify = Gui.find("verifyButton", JButton.class);
    Gui.run(() -> {
      code.setText(AuthenticatorApp.wrongCode(secret));
      verify.doClick();
    });
    JTextArea problem = Gui.find("loginProblem", JTextArea.class);
    Await.until("the wrong code is told", () -> Gui.onEdt(problem::getText).equals(texts.get("login.wrongCode")));
    assertThat(signedIn.get()).isNull();
    // The enrolment used this step's code, and each code signs in once: the next one, as the app shows it soon.
    Gui.run(() -> {
      code.setText(AuthenticatorApp.code(secret, Instant.now().plusSeconds(30)));
      verify.doClick();
    });

    AuthApi.Login login = Await.value("signed in", signedIn::get);
    assertThat(login.token()).isNotBlank();
  }

  @Test
  void anAgentOfASiteThatRequiresTwoFactorSignInSetsItUpInTheWindowInChinese() throws Exception {
    LiveServer.Account account = server.agentOfASiteRequiringTwoFactor("gui-enrol");
    Texts texts = new Texts(Texts.CHINESE);
    open(texts);
    passwordStep(account);

    JTextField key = Gui.find("enrolKey", JTextField.class);
    String secret = Await.value("the key to type into an app", () -> {
      String text = Gui.onEdt(key::getText);
      return text.isBlank() ? null : text;
    });
    JPanel qr = Gui.find("enrolQr", JPanel.class);
    assertThat(Gui.onEdt(qr::getHeight)).as("the QR code is drawn").isGreaterThan(100);
    screenshot("agent-login-enrol-zh.png");
    JTextField code = Gui.find("enrolCode", JTextField.class);
    JButton turnOn = Gui.find("enrolButton", JButton.class);
    Gui.run(() -> {
      code.setText(AuthenticatorApp.code(secret, Instant.now()));
      turnOn.doClick();
    });

    JTextArea recovery = Gui.find("recoveryCodes", JTextArea.class);
    Await.until("ten recovery codes shown", () -> Gui.onEdt(recovery::getText).lines().count() == 10);
    assertThat(signedIn.get()).as("not before the codes were seen").isNull();
    screenshot("agent-login-recovery-zh.png");
    JButton proceed = Gui.find("continueButton", JButton.class);
    assertThat(Gui.onEdt(proceed::getText)).isEqualTo(texts.get("login.continue"));
    Gui.run(proceed::doClick);

    AuthApi.Login login = Await.value("signed in", signedIn::get);
    assertThat(login.token()).isNotBlank();
  }

  private void open(Texts texts) {
    Gui.run(() -> {
      frame = new LoginFrame(
          texts, new Settings(home.resolve("settings.properties")), HTTP, null, (base, login) -> signedIn.set(login));
      frame.setVisible(true);
    });
  }

  private static void passwordStep(LiveServer.Account account) {
    JTextField url = Gui.find("serverUrl", JTextField.class);
    JTextField username = Gui.find("username", JTextField.class);
    JPasswordField password = Gui.find("password", JPasswordField.class);
    JButton login = Gui.find("loginButton", JButton.class);
    Gui.run(() -> {
      url.setText(server.base().toString());
      username.setText(account.username());
      password.setText(account.password());
      login.doClick();
    });
  }

  private void screenshot(String name) throws Exception {
    Rectangle bounds = Gui.onEdt(() -> {
      frame.toFront();
      return frame.getBounds();
    });
    Gui.run(() -> frame.getRootPane().paintImmediately(frame.getRootPane().getVisibleRect()));
    BufferedImage image = new Robot().createScreenCapture(bounds);
    Path target = Path.of("target", name);
    Files.createDirectories(target.getParent());
    ImageIO.write(image, "png", target.toFile());
  }
}
