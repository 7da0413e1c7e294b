package dev.parley.agent.app;

import dev.parley.agent.core.AgentClient;
import dev.parley.agent.core.AgentHome;
import dev.parley.agent.core.AuthApi;
import dev.parley.agent.core.LoginProblems;
import dev.parley.agent.core.ConnectionState;
import dev.parley.agent.core.Outbox;
import dev.parley.agent.core.QuickReplies;
import dev.parley.agent.core.Settings;
import dev.parley.agent.core.Texts;
import dev.parley.agent.core.TrustedCertificates;
import dev.parley.agent.core.WorkspaceListener;
import dev.parley.agent.ui.Edt;
import dev.parley.agent.ui.LoginFrame;
import dev.parley.agent.ui.Themes;
import dev.parley.agent.ui.WorkspaceFrame;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.util.Locale;

/**
 * Wires the app together: settings, language, theme, the login window, and after log-in the client and its
 * workspace window. Lives on the EDT.
 */
public final class AgentApp {

  private final AgentHome home;
  private final Settings settings;
  /** The JVM's trust store, plus the operator's certificates when the home directory holds them. */
  private final TrustedCertificates.Trust trust;
  private final HttpClient http;
  // Owned by the EDT; null until the matching step has happened.
  private Texts texts;
  private LoginFrame loginFrame;
  private WorkspaceFrame workspaceFrame;
  private AgentClient client;

  public AgentApp(AgentHome home) {
    this.home = home;
    this.settings = new Settings(home.settingsFile());
    this.trust = TrustedCertificates.load(TrustedCertificates.location(home));
    this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).sslContext(trust.context()).build();
    String language = settings.get(Settings.LANGUAGE, null);
    this.texts = new Texts(language == null ? Texts.defaultFor(Locale.getDefault()) : Locale.forLanguageTag(language));
  }

  /** Before any window exists: the look and feel. */
  public void applyTheme() {
    Themes.apply(theme());
  }

  private String theme() {
    return settings.get(Settings.THEME, Themes.LIGHT);
  }

  public void showLogin() {
    showLogin(null);
  }

  /** {@code reason}: why the person must sign in again, shown in the window; null on a plain start. */
  private void showLogin(String reason) {
    String notice =
        reason != null
            ? reason
            : trust.problem().map(p -> texts.get("login.trustFile", trust.file().toString(), p)).orElse(null);
    loginFrame = new LoginFrame(texts, settings, http, notice, this::loggedIn);
    loginFrame.setVisible(true);
  }

  private void loggedIn(URI server, AuthApi.Login login) {
    Outbox outbox = new Outbox(home.outboxFile(login.accountId()));
    client = new AgentClient(http, server, login, outbox, Clock.systemUTC());
    client.workspace().addListener(new WorkspaceListener() {
      @Override
      public void connectionChanged(ConnectionState state, String detail) {
        if (state == ConnectionState.LOGGED_OUT) {
          // The token is no longer accepted (the detail says why): back to the login window, saying so; the client
          // has stopped, and the outbox stays on disk for next time.
          Edt.run(() -> backToLogin(detail));
        }
      }
    });
    client.start();
    openWorkspace();
    loginFrame.dispose();
  }

  private void backToLogin(String code) {
    if (workspaceFrame != null && workspaceFrame.isDisplayable()) {
      workspaceFrame.dispose();
      showLogin(LoginProblems.loggedOut(texts, code));
    }
  }

  private void openWorkspace() {
    workspaceFrame =
        new WorkspaceFrame(
            texts, client, QuickReplies.loadPersonal(home), theme(), this::switchTheme, this::switchLanguage);
    workspaceFrame.setVisible(true);
  }

  private void switchTheme(String theme) {
    settings.put(Settings.THEME, theme);
    settings.save();
    Themes.switchTo(theme);
  }

  private void switchLanguage(Locale locale) {
    settings.put(Settings.LANGUAGE, locale.toLanguageTag());
    settings.save();
    texts = new Texts(locale);
    // Every label is built from the bundle once; a fresh window is simpler and surer than relabelling.
    WorkspaceFrame old = workspaceFrame;
    openWorkspace();
    old.disposeKeepingClient();
  }

  public AgentClient client() {
    return client;
  }
}
