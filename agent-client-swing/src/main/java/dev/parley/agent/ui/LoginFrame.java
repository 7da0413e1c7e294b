package dev.parley.agent.ui;

import dev.parley.agent.core.AuthApi;
import dev.parley.agent.core.ServerAddress;
import dev.parley.agent.core.Settings;
import dev.parley.agent.core.Texts;
import java.awt.BorderLayout;
import java.awt.GridBagConstraints;
import java.awt.GridBagLayout;
import java.awt.Insets;
import java.net.URI;
import java.net.http.HttpClient;
import java.util.Arrays;
import java.util.concurrent.ExecutionException;
import java.util.function.BiConsumer;
import javax.swing.BorderFactory;
import javax.swing.JButton;
import javax.swing.JFrame;
import javax.swing.JLabel;
import javax.swing.JOptionPane;
import javax.swing.JPanel;
import javax.swing.JPasswordField;
import javax.swing.JTextField;
import javax.swing.SwingWorker;
import javax.swing.WindowConstants;

/**
 * Server URL, username and password. The URL and username are remembered in the settings file; the password is
 * never written anywhere. Logging in runs off the EDT.
 *
 * <p>The address field suggests {@code https://}; a plain {@code http://} address of another machine is used only
 * after the agent confirms it in a dialog (rules in {@link ServerAddress}).
 */
public final class LoginFrame extends JFrame {

  private final JTextField server = new JTextField(28);
  private final JTextField username = new JTextField(28);
  private final JPasswordField password = new JPasswordField(28);
  private final JButton login;
  private final JLabel problem = Plain.label(" ");

  /** {@code notice}: shown under the form from the start (a problem with the trusted certificates), or null. */
  public LoginFrame(
      Texts texts,
      Settings settings,
      HttpClient http,
      String notice,
      BiConsumer<URI, AuthApi.Login> onLoggedIn) {
    super(texts.get("login.title"));
    setName("loginFrame");
    setDefaultCloseOperation(WindowConstants.EXIT_ON_CLOSE);
    server.setName("serverUrl");
    username.setName("username");
    password.setName("password");
    problem.setName("loginProblem");
    server.setText(settings.get(Settings.SERVER_URL, ServerAddress.SUGGESTED));
    if (notice != null) {
      problem.setText(notice);
    }
    username.setText(settings.get(Settings.USERNAME, ""));
    login = new JButton(texts.get("login.button"));
    login.setName("loginButton");

    JPanel form = new JPanel(new GridBagLayout());
    form.setBorder(BorderFactory.createEmptyBorder(16, 16, 16, 16));
    addRow(form, 0, texts.get("login.server"), server);
    addRow(form, 1, texts.get("login.username"), username);
    addRow(form, 2, texts.get("login.password"), password);
    GridBagConstraints c = new GridBagConstraints();
    c.gridx = 1;
    c.gridy = 3;
    c.anchor = GridBagConstraints.LINE_END;
    c.insets = new Insets(8, 4, 4, 4);
    form.add(login, c);
    c.gridx = 0;
    c.gridy = 4;
    c.gridwidth = 2;
    c.anchor = GridBagConstraints.LINE_START;
    form.add(problem, c);
    getContentPane().add(form, BorderLayout.CENTER);
    getRootPane().setDefaultButton(login);

    login.addActionListener(
        e -> {
          ServerAddress.Check check = ServerAddress.check(server.getText());
          if (check instanceof ServerAddress.Invalid) {
            problem.setText(texts.get("login.badUrl"));
            return;
          }
          URI base = ServerAddress.base(check);
          if (!ServerAddress.mayConnect(check, settings.get(Settings.PLAIN_HTTP_CONFIRMED, null))) {
            if (!confirmUnencrypted(texts, base)) {
              problem.setText(texts.get("login.plainHttpRefused"));
              return;
            }
            settings.put(Settings.PLAIN_HTTP_CONFIRMED, base.toString());
          }
          String user = username.getText().strip();
          char[] secret = password.getPassword();
          login.setEnabled(false);
          problem.setText(texts.get("login.working"));
          new SwingWorker<AuthApi.Login, Void>() {
            @Override
            protected AuthApi.Login doInBackground() throws Exception {
              try {
                return new AuthApi(http, base).login(user, new String(secret));
              } finally {
                Arrays.fill(secret, '\0');
              }
            }

            @Override
            protected void done() {
              login.setEnabled(true);
              try {
                AuthApi.Login result = get();
                settings.put(Settings.SERVER_URL, base.toString());
                settings.put(Settings.USERNAME, user);
                settings.save();
                password.setText("");
                onLoggedIn.accept(base, result);
              } catch (ExecutionException failed) {
                problem.setText(
                    failed.getCause() instanceof AuthApi.Refused refused
                        ? texts.get("login.refused", refused.code())
                        : failed.getCause() instanceof javax.net.ssl.SSLException
                            ? texts.get("login.tlsFailed")
                            : texts.get("login.unreachable"));
              } catch (InterruptedException interrupted) {
                Thread.currentThread().interrupt();
              }
            }
          }.execute();
        });
    pack();
    setLocationRelativeTo(null);
  }

  /** Asks whether to sign in without encryption; "no" is the default button. */
  private boolean confirmUnencrypted(Texts texts, URI base) {
    Object[] options = {texts.get("login.plainHttp.yes"), texts.get("login.plainHttp.no")};
    int chosen =
        JOptionPane.showOptionDialog(
            this,
            texts.get("login.plainHttp.message", base.toString()),
            texts.get("login.plainHttp.title"),
            JOptionPane.YES_NO_OPTION,
            JOptionPane.WARNING_MESSAGE,
            null,
            options,
            options[1]);
    return chosen == 0;
  }

  private static void addRow(JPanel form, int row, String label, java.awt.Component field) {
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
}
