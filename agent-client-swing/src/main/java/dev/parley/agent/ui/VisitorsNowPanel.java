package dev.parley.agent.ui;

import dev.parley.agent.core.AgentClient;
import dev.parley.agent.core.Texts;
import dev.parley.agent.core.VisitorsNow;
import dev.parley.agent.core.WorkspaceListener;
import dev.parley.agent.protocol.ServerFrame;
import java.awt.BorderLayout;
import java.awt.Component;
import java.awt.FlowLayout;
import java.awt.Window;
import java.awt.event.ActionEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import javax.swing.AbstractAction;
import javax.swing.Action;
import javax.swing.JButton;
import javax.swing.JDialog;
import javax.swing.JLabel;
import javax.swing.JPanel;
import javax.swing.JScrollPane;
import javax.swing.JTable;
import javax.swing.JTextArea;
import javax.swing.ListSelectionModel;
import javax.swing.SwingUtilities;
import javax.swing.table.AbstractTableModel;
import javax.swing.table.DefaultTableCellRenderer;

/**
 * "Visitors now" in the desktop client (protocol §12): the agent's sites' visitors online, as the server's
 * {@code visitors} and {@code visitorsChanged} frames keep the {@link dev.parley.agent.core.Workspace}'s lists —
 * page, time on site, place, device, chat state and name — and an "Invite…" action that sends the selected visitor
 * an invitation with the agent's words. Times move on with a clock the frame ticks ({@link #tick}). Visitor-supplied
 * text (titles, names, places) is shown as text, never HTML.
 */
final class VisitorsNowPanel extends JPanel {

  /** Longest invitation the server takes (protocol §12). */
  static final int MAX_INVITATION_CHARS = 500;

  private final Texts texts;
  private final AgentClient client;
  private final Model model;
  private final JTable table;
  private final JLabel total = Plain.label(" ");
  private final JLabel status = Plain.label(" ");
  private final Action invite;
  private final WorkspaceListener listener = new WorkspaceListener() {
    @Override
    public void visitorsChanged(List<VisitorsNow.Row> rows, int count) {
      Edt.run(() -> show(rows, count));
    }

    @Override
    public void invitationShown(String ref) {
      Edt.run(() -> status.setText(texts.get("visitors.invitationShown")));
    }

    @Override
    public void invitationAnswered(String visitorId, String answer) {
      Edt.run(() -> status.setText(texts.get("visitors.answer." + answer)));
    }

    @Override
    public void refused(String conversationId, String ref, String code) {
      if (conversationId == null) {
        Edt.run(() -> status.setText(texts.get("visitors.refused." + code).startsWith("visitors.")
            ? texts.get("workspace.refused", code) : texts.get("visitors.refused." + code)));
      }
    }
  };

  VisitorsNowPanel(Texts texts, AgentClient client) {
    super(new BorderLayout());
    setName("visitorsNow");
    this.texts = texts;
    this.client = client;
    // After texts: the table asks the model for its column names as it is made.
    this.model = new Model();
    this.table = new JTable(model);
    table.setName("visitorsTable");
    Plain.noHtml(table);
    table.setSelectionMode(ListSelectionModel.SINGLE_SELECTION);
    table.setAutoCreateRowSorter(false);
    DefaultTableCellRenderer plain = new DefaultTableCellRenderer() {
      @Override
      public Component getTableCellRendererComponent(
          JTable t, Object value, boolean selected, boolean focus, int row, int column) {
        Component c = super.getTableCellRendererComponent(t, value, selected, focus, row, column);
        Plain.noHtml(this);
        return c;
      }
    };
    plain.putClientProperty(Plain.HTML_DISABLE, Boolean.TRUE);
    table.setDefaultRenderer(Object.class, plain);
    invite = new AbstractAction(texts.get("visitors.invite")) {
      @Override
      public void actionPerformed(ActionEvent e) {
        openInvite();
      }
    };
    invite.setEnabled(false);
    table.getSelectionModel().addListSelectionListener(e -> invite.setEnabled(selected() != null));
    JButton inviteButton = new JButton(invite);
    inviteButton.setName("invite");
    total.setName("visitorsTotal");
    status.setName("visitorsStatus");
    JPanel top = new JPanel(new FlowLayout(FlowLayout.LEADING));
    top.add(total);
    top.add(inviteButton);
    top.add(status);
    add(top, BorderLayout.NORTH);
    add(new JScrollPane(table), BorderLayout.CENTER);
    client.workspace().addListener(listener);
    show(client.workspace().visitorRows(), client.workspace().visitorsTotal());
  }

  /** Stops listening (the frame closes or is rebuilt). */
  void dispose() {
    client.workspace().removeListener(listener);
  }

  /** Times on site and on page as of now: the frame's clock calls it every second. */
  void tick() {
    if (isShowing()) {
      show(client.workspace().visitorRows(), client.workspace().visitorsTotal());
    }
  }

  private void show(List<VisitorsNow.Row> rows, int count) {
    VisitorsNow.Row selected = selected();
    model.rows = new ArrayList<>(rows);
    model.fireTableDataChanged();
    if (selected != null) {
      for (int i = 0; i < rows.size(); i++) {
        if (rows.get(i).visitor().visitorId().equals(selected.visitor().visitorId())) {
          table.getSelectionModel().setSelectionInterval(i, i);
          break;
        }
      }
    }
    total.setText(texts.get("visitors.total", count));
  }

  private VisitorsNow.Row selected() {
    int row = table.getSelectedRow();
    return row < 0 || row >= model.rows.size() ? null : model.rows.get(row);
  }

  /** A small window for the invitation's words; sending it closes it. Not modal: the list keeps moving. */
  private void openInvite() {
    VisitorsNow.Row row = selected();
    if (row == null) {
      return;
    }
    Window owner = SwingUtilities.getWindowAncestor(this);
    JDialog dialog = new JDialog(owner, texts.get("visitors.inviteTitle", describe(row)));
    dialog.setName("inviteDialog");
    JTextArea text = Plain.noHtml(new JTextArea(texts.get("visitors.inviteDefault"), 4, 40));
    text.setName("inviteText");
    text.setLineWrap(true);
    text.setWrapStyleWord(true);
    JButton send = new JButton(new AbstractAction(texts.get("visitors.inviteSend")) {
      @Override
      public void actionPerformed(ActionEvent e) {
        String words = text.getText().strip();
        if (words.isEmpty() || words.length() > MAX_INVITATION_CHARS) {
          status.setText(texts.get("visitors.inviteLength", MAX_INVITATION_CHARS));
          return;
        }
        client.invite(row.siteId(), row.visitor().visitorId(), words);
        status.setText(texts.get("visitors.inviteSent"));
        dialog.dispose();
      }
    });
    send.setName("inviteSend");
    JPanel buttons = new JPanel(new FlowLayout(FlowLayout.TRAILING));
    buttons.add(send);
    dialog.getContentPane().add(new JScrollPane(text), BorderLayout.CENTER);
    dialog.getContentPane().add(buttons, BorderLayout.SOUTH);
    dialog.pack();
    dialog.setLocationRelativeTo(this);
    dialog.setVisible(true);
  }

  private String describe(VisitorsNow.Row row) {
    ServerFrame.ListedVisitor v = row.visitor();
    return v.name() != null ? v.name() : place(v) != null ? place(v) : texts.get("conversation.visitor");
  }

  static String duration(Duration d) {
    if (d == null) {
      return "";
    }
    long s = d.toSeconds();
    return s >= 3600 ? String.format("%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
        : String.format("%d:%02d", s / 60, s % 60);
  }

  static String place(ServerFrame.ListedVisitor v) {
    List<String> parts = new ArrayList<>();
    for (String p : new String[] {v.city(), v.region(), v.country()}) {
      if (p != null && !p.isBlank() && !parts.contains(p)) {
        parts.add(p);
      }
    }
    return parts.isEmpty() ? null : String.join(", ", parts);
  }

  private final class Model extends AbstractTableModel {
    List<VisitorsNow.Row> rows = List.of();
    private final String[] columns = {
      "visitors.column.page", "visitors.column.onSite", "visitors.column.place", "visitors.column.device",
      "visitors.column.chat", "visitors.column.name"
    };

    @Override
    public int getRowCount() {
      return rows.size();
    }

    @Override
    public int getColumnCount() {
      return columns.length;
    }

    @Override
    public String getColumnName(int column) {
      return texts.get(columns[column]);
    }

    @Override
    public Object getValueAt(int row, int column) {
      VisitorsNow.Row r = rows.get(row);
      ServerFrame.ListedVisitor v = r.visitor();
      return switch (column) {
        case 0 -> (v.pageTitle() != null && !v.pageTitle().isBlank() ? v.pageTitle() : v.pageUrl() == null ? "" : v.pageUrl())
            + (v.pagesSeen() > 1 ? " (" + texts.get("visitors.pages", v.pagesSeen()) + ")" : "");
        case 1 -> duration(r.onSite());
        case 2 -> place(v) == null ? "" : place(v);
        case 3 -> v.device() == null ? "" : String.join(" / ",
            java.util.stream.Stream.of(v.device().browser(), v.device().os())
                .filter(s -> s != null && !s.isBlank()).toList());
        case 4 -> texts.get("visitors.chat." + (v.chat() == null ? "none" : v.chat()));
        case 5 -> v.name() == null ? "" : v.name();
        default -> "";
      };
    }
  }
}
