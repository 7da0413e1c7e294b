package dev.parley.agent.ui;

import dev.parley.agent.core.AuthApi;
import dev.parley.agent.core.LoginProblems;
import dev.parley.agent.core.ServerAddress;
import dev.parley.agent.core.Settings;
import dev.parley.agent.core.Texts;
import java.awt.BorderLayout;
import java.awt.Component;
import java.awt.GridBagConstraints;
import java.awt.GridBagLayout;
import java.awt.Insets;
import java.net.URI;
import java.net.http.HttpClient;
import java.util.Arrays;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import javax.swing.BorderFactory;
import javax.swing.JButton;
import javax.swing.JComponent;
import javax.swing.JFrame;
import javax.swing.JLabel;
import javax.swing.JOptionPane;
import javax.swing.JPanel;
import javax.swing.JPasswordField;
import javax.swing.JTextArea;
import javax.swing.JTextField;
import javax.swing.SwingWorker;
import javax.swing.WindowConstants;

/**
 * Signing in, one card per step (PROTOCOL.md §7): server URL, username and password; then, for an account with
 * two-factor sign-in, the code of the authenticator app or a recovery code; or, where a site demands two-factor
 * sign-in of an account without it, setting it up (QR code and key, a first code, the recovery codes shown once).
 * The URL and username are remembered in the settings file; the password and codes are never written anywhere.
 * Every call runs off the EDT; failures are told in the person's language by {@link LoginProblems}.
 *
 * <p>The address field suggests {@code https://}; a plain {@code http://} address of another machine is used only
 * after the agent confirms it in a dialog (rules in {@link ServerAddress}).
 */
public final class LoginFrame extends JFrame {

  /** Wide enough for the recovery codes and the enrolment's key; longer texts wrap. */
  private static final int TEXT_COLUMNS = 34;

  private final Texts texts;
  private final Settings settings;
  private final HttpClient http;
  private final BiConsumer<URI, AuthApi.Login> onLoggedIn;

  /** Holds the card of the current step alone, so the window is only as large as that step needs. */
  private final JPanel steps = new JPanel(new BorderLayout());
  private final JTextField server = new JTextField(28);
  private final JTextField username = new JTextField(28);
  private final JPasswordField password = new JPasswordField(28);
  private final JButton login;
  private final JTextField code = new JTextField(12);
  private final JButton verify;
  private final JPanel qrHolder = new JPanel(new BorderLayout());
  private final JTextField enrolKey = new JTextField(TEXT_COLUMNS);
  private final JTextField enrolCode = new JTextField(12);
  private final JButton enrolConfirm;
  private final JTextArea recoveryCodes = Plain.readOnlyArea("recoveryCodes");
  private final JButton proceed;
  private final JTextArea problem = Plain.readOnlyArea("loginProblem");
  private final JPanel passwordCard;
  private final JPanel codeCard;
  private final JPanel enrolCard;
  private final JPanel recoveryCard;

  // Owned by the EDT. base: the server the steps under way talk to, null before the first. challenge: set on the code
  // card only. enrolOnly: set on the enrol card only. enrolled: set on the recovery card only.
  private URI base;
  private AuthApi.SecondFactorNeeded challenge;
  private AuthApi.Login enrolOnly;
  private AuthApi.Enrolled enrolled;

  /**
   * {@code reason}: why the window is shown again (the session ended), or a problem with the trusted certificates
   * to show from the start; null on a plain start.
   */
  public LoginFrame(
      Texts texts,
      Settings settings,
      HttpClient http,
      String reason,
      BiConsumer<URI, AuthApi.Login> onLoggedIn) {
    super(texts.get("login.title"));
    this.texts = texts;
    this.settings = settings;
    this.http = http;
    this.onLoggedIn = onLoggedIn;
    setName("loginFrame");
    setDefaultCloseOperation(WindowConstants.EXIT_ON_CLOSE);
    server.setName("serverUrl");
    username.setName("username");
    password.setName("password");
    code.setName("code");
    enrolKey.setName("enrolKey");
    enrolKey.setEditable(false);
    enrolCode.setName("enrolCode");
    qrHolder.setName("enrolQr");
    recoveryCodes.setLineWrap(false);
    recoveryCodes.setColumns(TEXT_COLUMNS);
    server.setText(settings.get(Settings.SERVER_URL, ServerAddress.SUGGESTED));
    username.setText(settings.get(Settings.USERNAME, ""));
    login = button("loginButton", "login.button", e -> passwordStep());
    verify = button("verifyButton", "login.verify", e -> codeStep());
    enrolConfirm = button("enrolButton", "login.enrolConfirm", e -> confirmStep());
    proceed = button("continueButton", "login.continue", e -> onLoggedIn.accept(base, enrolled.login()));

    passwordCard = passwordCard();
    codeCard = codeCard();
    enrolCard = enrolCard();
    recoveryCard = recoveryCard();
    problem.setOpaque(false);
    problem.setColumns(TEXT_COLUMNS);
    problem.setFocusable(false);
    problem.setText(reason == null ? "" : reason);
    JPanel content = new JPanel(new BorderLayout(0, 8));
    content.setBorder(BorderFactory.createEmptyBorder(16, 16, 16, 16));
    content.add(steps, BorderLayout.CENTER);
    content.add(problem, BorderLayout.SOUTH);
    getContentPane().add(content, BorderLayout.CENTER);
    show(passwordCard, login, password);
    setLocationRelativeTo(null);
  }

  // Cards ----------------------------------------------------------------------------------------------------------

  private JPanel passwordCard() {
    JPanel form = new JPanel(new GridBagLayout());
    addRow(form, 0, texts.get("login.server"), server);
    addRow(form, 1, texts.get("login.username"), username);
    addRow(form, 2, texts.get("login.password"), password);
    addButtons(form, 3, login);
    return form;
  }

  private JPanel codeCard() {
    JPanel form = new JPanel(new GridBagLayout());
    addWide(form, 0, wrapped(texts.get("login.codeHint")));
    addRow(form, 1, texts.get("login.code"), code);
    addButtons(form, 2, button("backButton", "login.back", e -> backToPassword(null)), verify);
    return form;
  }

  private JPanel enrolCard() {
    JPanel form = new JPanel(new GridBagLayout());
    addWide(form, 0, wrapped(texts.get("login.enrolIntro")));
    addWide(form, 1, qrHolder);
    addRow(form, 2, texts.get("login.enrolKey"), enrolKey);
    addRow(form, 3, texts.get("login.code"), enrolCode);
    addButtons(form, 4, button("enrolBackButton", "login.back", e -> backToPassword(null)), enrolConfirm);
    return form;
  }

  private JPanel recoveryCard() {
    JPanel form = new JPanel(new GridBagLayout());
    addWide(form, 0, wrapped(texts.get("login.recoveryIntro")));
    addWide(form, 1, recoveryCodes);
    addButtons(form, 2, proceed);
    return form;
  }

  private void show(JPanel card, JButton defaultButton, JComponent focus) {
    steps.removeAll();
    steps.add(card, BorderLayout.CENTER);
    steps.revalidate();
    steps.repaint();
    getRootPane().setDefaultButton(defaultButton);
    pack();
    focus.requestFocusInWindow();
  }

  private void backToPassword(String why) {
    challenge = null;
    enrolOnly = null;
    enrolled = null;
    code.setText("");
    enrolCode.setText("");
    problem.setText(why == null ? "" : why);
    show(passwordCard, login, password);
  }

  // Steps ----------------------------------------------------------------------------------------------------------

  private void passwordStep() {
    ServerAddress.Check check = ServerAddress.check(server.getText());
    if (check instanceof ServerAddress.Invalid) {
      problem.setText(texts.get("login.badUrl"));
      return;
    }
    URI chosen = ServerAddress.base(check);
    if (!ServerAddress.mayConnect(check, settings.get(Settings.PLAIN_HTTP_CONFIRMED, null))) {
      if (!confirmUnencrypted(chosen)) {
        problem.setText(texts.get("login.plainHttpRefused"));
        return;
      }
      settings.put(Settings.PLAIN_HTTP_CONFIRMED, chosen.toString());
    }
    String user = username.getText().strip();
    char[] secret = password.getPassword();
    AuthApi api = new AuthApi(http, chosen);
    problem.setText(texts.get("login.working"));
    call(
        login,
        () -> {
          try {
            AuthApi.PasswordStep step = api.login(user, new String(secret));
            // Where a site demands two-factor sign-in, start setting it up at once: the next card needs its key.
            return step instanceof AuthApi.EnrolmentNeeded needed ? new Enrolling(needed, enrolment(api, needed)) : step;
          } finally {
            Arrays.fill(secret, '\0');
          }
        },
        step -> {
          base = chosen;
          settings.put(Settings.SERVER_URL, chosen.toString());
          settings.put(Settings.USERNAME, user);
          settings.save();
          password.setText("");
          problem.setText("");
          if (step instanceof AuthApi.Login signedIn) {
            onLoggedIn.accept(chosen, signedIn);
          } else if (step instanceof AuthApi.SecondFactorNeeded needed) {
            challenge = needed;
            show(codeCard, verify, code);
          } else if (step instanceof Enrolling enrolling) {
            startEnrolment(enrolling);
          }
        },
        failure -> problem.setText(LoginProblems.describe(texts, LoginProblems.Step.PASSWORD, failure)));
  }

  /** Asks whether to sign in without encryption; "no" is the default button. */
  private boolean confirmUnencrypted(URI chosen) {
    Object[] options = {texts.get("login.plainHttp.yes"), texts.get("login.plainHttp.no")};
    int answer =
        JOptionPane.showOptionDialog(
            this,
            texts.get("login.plainHttp.message", chosen.toString()),
            texts.get("login.plainHttp.title"),
            JOptionPane.YES_NO_OPTION,
            JOptionPane.WARNING_MESSAGE,
            null,
            options,
            options[1]);
    return answer == 0;
  }

  /** The password step's answer when a site demands two-factor sign-in: the account, and its new enrolment or why not. */
  private record Enrolling(AuthApi.EnrolmentNeeded needed, Object enrolmentOrFailure) {}

  private static Object enrolment(AuthApi api, AuthApi.EnrolmentNeeded needed) throws InterruptedException {
    try {
      return api.enrol(needed.enrolOnly());
    } catch (AuthApi.Refused | java.io.IOException failed) {
      return failed;
    }
  }

  private void startEnrolment(Enrolling enrolling) {
    if (enrolling.enrolmentOrFailure() instanceof AuthApi.Enrolment enrolment) {
      enrolOnly = enrolling.needed().enrolOnly();
      qrHolder.removeAll();
      qrHolder.add(new QrCodeView(enrolment.uri()), BorderLayout.CENTER);
      enrolKey.setText(enrolment.secret());
      show(enrolCard, enrolConfirm, enrolCode);
    } else {
      // Nothing more this window can do: say where the account can set it up instead.
      Exception failed = (Exception) enrolling.enrolmentOrFailure();
      String why = failed instanceof AuthApi.Refused refused ? refused.code() : failed.toString();
      problem.setText(texts.get("login.enrolFailed", why, base.toString()));
    }
  }

  private void codeStep() {
    String entered = code.getText().strip();
    AuthApi.SecondFactorNeeded step = challenge;
    if (entered.isEmpty() || step == null) {
      return;
    }
    AuthApi api = new AuthApi(http, base);
    problem.setText(texts.get("login.verifying"));
    call(
        verify,
        () -> api.secondFactor(step, entered),
        signedIn -> {
          challenge = null;
          code.setText("");
          onLoggedIn.accept(base, signedIn);
        },
        failure -> {
          code.setText("");
          String why = LoginProblems.describe(texts, LoginProblems.Step.CODE, failure);
          if (failure instanceof AuthApi.Refused refused
              && ("token-expired".equals(refused.code()) || "invalid-token".equals(refused.code()))) {
            backToPassword(why); // the challenge is spent: only the password brings a new one
          } else {
            problem.setText(why);
          }
        });
  }

  private void confirmStep() {
    String entered = enrolCode.getText().strip();
    AuthApi.Login token = enrolOnly;
    if (entered.isEmpty() || token == null) {
      return;
    }
    AuthApi api = new AuthApi(http, base);
    problem.setText(texts.get("login.verifying"));
    call(
        enrolConfirm,
        () -> api.confirm(token, entered),
        done -> {
          enrolOnly = null;
          enrolled = done;
          enrolCode.setText("");
          problem.setText("");
          recoveryCodes.setText(String.join("\n", done.recoveryCodes()));
          show(recoveryCard, proceed, proceed);
        },
        failure -> {
          enrolCode.setText("");
          String why = LoginProblems.describe(texts, LoginProblems.Step.ENROL, failure);
          if (failure instanceof AuthApi.Refused refused
              && ("token-expired".equals(refused.code()) || "invalid-token".equals(refused.code()))) {
            backToPassword(why);
          } else {
            problem.setText(why);
          }
        });
  }

  /** Runs {@code work} off the EDT with {@code button} disabled, then one of the callbacks on the EDT. */
  private <T> void call(JButton button, Callable<T> work, Consumer<T> done, Consumer<Exception> failed) {
    button.setEnabled(false);
    new SwingWorker<T, Void>() {
      @Override
      protected T doInBackground() throws Exception {
        return work.call();
      }

      @Override
      protected void done() {
        button.setEnabled(true);
        try {
          done.accept(get());
        } catch (ExecutionException e) {
          failed.accept(e.getCause() instanceof Exception cause ? cause : e);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }.execute();
  }

  // Layout ---------------------------------------------------------------------------------------------------------

  private JButton button(String name, String key, java.awt.event.ActionListener action) {
    JButton b = new JButton(texts.get(key));
    b.setName(name);
    b.addActionListener(action);
    return b;
  }

  private JTextArea wrapped(String text) {
    JTextArea area = Plain.readOnlyArea(null);
    area.setText(text);
    area.setOpaque(false);
    area.setFocusable(false);
    area.setColumns(TEXT_COLUMNS);
    return area;
  }

  private static void addRow(JPanel form, int row, String label, Component field) {
    GridBagConstraints c = new GridBagConstraints();
    c.gridx = 0;
    c.gridy = row;
    c.anchor = GridBagConstraints.LINE_END;
    c.insets = new Insets(4, 4, 4, 8);
    form.add(new JLabel(label), c);
    c.gridx = 1;
    c.anchor = GridBagConstraints.LINE_START;
    c.fill = GridBagConstraints.HORIZONTAL;
    c.weightx = 1;
    form.add(field, c);
  }

  private static void addWide(JPanel form, int row, Component wide) {
    GridBagConstraints c = new GridBagConstraints();
    c.gridx = 0;
    c.gridy = row;
    c.gridwidth = 2;
    c.insets = new Insets(4, 4, 4, 4);
    c.fill = GridBagConstraints.HORIZONTAL;
    c.weightx = 1;
    form.add(wide, c);
  }

  private static void addButtons(JPanel form, int row, JButton... buttons) {
    JPanel line = new JPanel();
    for (JButton b : buttons) {
      line.add(b);
    }
    GridBagConstraints c = new GridBagConstraints();
    c.gridx = 0;
    c.gridy = row;
    c.gridwidth = 2;
    c.anchor = GridBagConstraints.LINE_END;
    c.insets = new Insets(8, 0, 0, 0);
    form.add(line, c);
  }
}
