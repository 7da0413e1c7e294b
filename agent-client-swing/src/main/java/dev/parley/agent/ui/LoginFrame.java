package dev.parley.agent.ui;

import dev.parley.agent.core.AuthApi;
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
import javax.swing.JPanel;
import javax.swing.JPasswordField;
import javax.swing.JTextField;
import javax.swing.SwingWorker;
import javax.swing.WindowConstants;

/**
 * Server URL, username and password. The URL and username are remembered in the settings file; the password is
 * never written anywhere. Logging in runs off the EDT.
 */
public final class LoginFrame extends JFrame {

  private final JTextField server = new JTextField(28);
  private final JTextField username = new JTextField(28);
  private final JPasswordField password = new JPasswordField(28);
  private final JButton login;
  private final JLabel problem = Plain.label(" ");

  public LoginFrame(
      Texts texts, Settings settings, HttpClient http, BiConsumer<URI, AuthApi.Login> onLoggedIn) {
    super(texts.get("login.title"));
    setName("loginFrame");
    setDefaultCloseOperation(WindowConstants.EXIT_ON_CLOSE);
    server.setName("serverUrl");
    username.setName("username");
    password.setName("password");
    problem.setName("loginProblem");
    server.setText(settings.get(Settings.SERVER_URL, "http://localhost:8080"));
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
          URI base;
          try {
            base = URI.create(server.getText().strip().replaceAll("/+$", ""));
            if (base.getScheme() == null || base.getHost() == null) {
              throw new IllegalArgumentException();
            }
          } catch (IllegalArgumentException bad) {
            problem.setText(texts.get("login.badUrl"));
            return;
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
