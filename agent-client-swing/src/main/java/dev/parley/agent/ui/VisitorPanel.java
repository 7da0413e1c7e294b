package dev.parley.agent.ui;

import dev.parley.agent.core.Texts;
import dev.parley.agent.core.VisitorInfo;
import java.awt.BorderLayout;
import java.awt.Dimension;
import java.util.Map;
import javax.swing.JPanel;
import javax.swing.JScrollPane;
import javax.swing.JTextArea;

/**
 * What the server tells us about the visitor: profile, device, referrer and campaign, pages seen, earlier
 * conversations. All of it is visitor-supplied, so it is shown in a plain text area only.
 */
final class VisitorPanel extends JPanel {

  private final Texts texts;
  private final JTextArea details = Plain.readOnlyArea("visitorDetails");

  VisitorPanel(Texts texts) {
    super(new BorderLayout());
    this.texts = texts;
    setName("visitorPanel");
    JScrollPane scroll = new JScrollPane(details);
    scroll.setPreferredSize(new Dimension(240, 200));
    add(Plain.label(texts.get("visitor.heading")), BorderLayout.NORTH);
    add(scroll, BorderLayout.CENTER);
  }

  void show(VisitorInfo v) {
    String text = describe(v);
    if (!text.equals(details.getText())) {
      details.setText(text);
      details.setCaretPosition(0);
    }
  }

  String describe(VisitorInfo v) {
    StringBuilder out = new StringBuilder();
    line(out, "visitor.id", v.visitorId());
    if (!v.hasDetails()) {
      out.append(texts.get("visitor.noDetails")).append('\n');
      return out.toString();
    }
    line(out, "visitor.name", v.name());
    line(out, "visitor.email", v.email());
    if (v.online() != null) {
      line(out, "visitor.presence", texts.get(v.online() ? "visitor.online" : "visitor.offline"));
    }
    if (v.device() != null) {
      line(out, "visitor.device", join(v.device().browser(), v.device().os(), v.device().type()));
    }
    line(out, "visitor.referrer", v.referrer());
    section(out, "visitor.utm", v.utm());
    section(out, "visitor.attributes", v.attributes());
    if (!v.pages().isEmpty()) {
      out.append('\n').append(texts.get("visitor.pages")).append('\n');
      for (VisitorInfo.Page p : v.pages()) {
        out.append("  ").append(join(p.at(), p.title(), p.url())).append('\n');
      }
    }
    if (!v.conversations().isEmpty()) {
      out.append('\n').append(texts.get("visitor.history")).append('\n');
      for (VisitorInfo.PastConversation c : v.conversations()) {
        out.append("  ").append(join(c.openedAt(), c.status(), c.conversationId())).append('\n');
      }
    }
    return out.toString();
  }

  private void line(StringBuilder out, String key, String value) {
    if (value != null && !value.isBlank()) {
      out.append(texts.get(key)).append(": ").append(value).append('\n');
    }
  }

  private void section(StringBuilder out, String key, Map<String, String> values) {
    if (!values.isEmpty()) {
      out.append('\n').append(texts.get(key)).append('\n');
      values.forEach((k, val) -> out.append("  ").append(k).append(" = ").append(val).append('\n'));
    }
  }

  private static String join(String... parts) {
    StringBuilder b = new StringBuilder();
    for (String p : parts) {
      if (p != null && !p.isBlank()) {
        if (b.length() > 0) {
          b.append(" · ");
        }
        b.append(p);
      }
    }
    return b.toString();
  }
}
