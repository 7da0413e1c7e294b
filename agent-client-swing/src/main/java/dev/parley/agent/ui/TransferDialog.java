package dev.parley.agent.ui;

import dev.parley.agent.core.AgentClient;
import dev.parley.agent.core.AuthApi;
import dev.parley.agent.core.Authors;
import dev.parley.agent.core.Texts;
import java.awt.BorderLayout;
import java.awt.FlowLayout;
import java.awt.GridLayout;
import java.awt.Window;
import javax.swing.BorderFactory;
import javax.swing.ButtonGroup;
import javax.swing.DefaultComboBoxModel;
import javax.swing.JButton;
import javax.swing.JComboBox;
import javax.swing.JDialog;
import javax.swing.JLabel;
import javax.swing.JPanel;
import javax.swing.JRadioButton;
import javax.swing.JScrollPane;
import javax.swing.JTextArea;
import javax.swing.SwingWorker;

/**
 * Hands a conversation to another agent or a group, with an optional internal note (protocol §10 {@code transfer}).
 * The lists are the site's routing configuration (groups, and the agents it names), read off the EDT; the answer
 * (or a refusal such as {@code at-capacity}) arrives like any request's, through the workspace. Modal.
 */
final class TransferDialog extends JDialog {

  /** One choice in a list: the id a transfer names and the text shown. */
  record Choice(String id, String label) {
    @Override
    public String toString() {
      return label;
    }
  }

  private final DefaultComboBoxModel<Choice> agents = new DefaultComboBoxModel<>();
  private final DefaultComboBoxModel<Choice> groups = new DefaultComboBoxModel<>();
  private final JLabel status = Plain.label(" ");

  TransferDialog(Window owner, Texts texts, AgentClient client, String conversationId, String siteId) {
    super(owner, texts.get("transfer.title"), ModalityType.APPLICATION_MODAL);
    setName("transferDialog");
    JRadioButton toAgent = new JRadioButton(texts.get("transfer.toAgent"), true);
    toAgent.setName("transferToAgent");
    JRadioButton toGroup = new JRadioButton(texts.get("transfer.toGroup"));
    toGroup.setName("transferToGroup");
    ButtonGroup which = new ButtonGroup();
    which.add(toAgent);
    which.add(toGroup);
    JComboBox<Choice> agentBox = Plain.noHtml(new JComboBox<>(agents));
    agentBox.setName("transferAgents");
    JComboBox<Choice> groupBox = Plain.noHtml(new JComboBox<>(groups));
    groupBox.setName("transferGroups");
    JTextArea note = Plain.noHtml(new JTextArea(4, 36));
    note.setName("transferNote");
    note.setLineWrap(true);
    note.setWrapStyleWord(true);
    status.setName("transferStatus");

    JPanel choose = new JPanel(new GridLayout(0, 2, 6, 6));
    choose.add(toAgent);
    choose.add(agentBox);
    choose.add(toGroup);
    choose.add(groupBox);
    JPanel notePanel = new JPanel(new BorderLayout(0, 4));
    notePanel.add(Plain.label(texts.get("transfer.note")), BorderLayout.NORTH);
    notePanel.add(new JScrollPane(note), BorderLayout.CENTER);
    notePanel.add(status, BorderLayout.SOUTH);

    JButton ok = new JButton(texts.get("transfer.ok"));
    ok.setName("transferOk");
    ok.setEnabled(false);
    JButton cancel = new JButton(texts.get("transfer.cancel"));
    cancel.addActionListener(e -> dispose());
    ok.addActionListener(e -> {
      Choice agent = (Choice) agents.getSelectedItem();
      Choice group = (Choice) groups.getSelectedItem();
      if (toAgent.isSelected() && agent != null) {
        client.transfer(conversationId, agent.id(), null, note.getText().strip());
        dispose();
      } else if (toGroup.isSelected() && group != null) {
        client.transfer(conversationId, null, group.id(), note.getText().strip());
        dispose();
      }
    });
    JPanel buttons = new JPanel(new FlowLayout(FlowLayout.RIGHT));
    buttons.add(cancel);
    buttons.add(ok);

    JPanel content = new JPanel(new BorderLayout(0, 10));
    content.setBorder(BorderFactory.createEmptyBorder(12, 12, 12, 12));
    content.add(choose, BorderLayout.NORTH);
    content.add(notePanel, BorderLayout.CENTER);
    content.add(buttons, BorderLayout.SOUTH);
    setContentPane(content);
    pack();
    setLocationRelativeTo(owner);

    status.setText(texts.get("transfer.loading"));
    new SwingWorker<AuthApi.TransferTargets, Void>() {
      @Override
      protected AuthApi.TransferTargets doInBackground() throws Exception {
        return client.transferTargets(siteId);
      }

      @Override
      protected void done() {
        try {
          AuthApi.TransferTargets targets = get();
          targets.agentIds().forEach(id ->
              agents.addElement(new Choice(id, Authors.agent(id, client::agentName, texts))));
          targets.groups().forEach(g -> groups.addElement(new Choice(g.id(), g.name())));
          boolean any = agents.getSize() + groups.getSize() > 0;
          status.setText(any ? " " : texts.get("transfer.nobody"));
          if (agents.getSize() == 0 && groups.getSize() > 0) {
            toGroup.setSelected(true);
          }
          ok.setEnabled(any);
        } catch (Exception e) {
          status.setText(texts.get("transfer.failed"));
        }
      }
    }.execute();
  }
}
