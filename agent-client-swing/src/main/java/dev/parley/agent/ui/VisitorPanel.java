package dev.parley.agent.ui;

import dev.parley.agent.core.Texts;
import dev.parley.agent.core.VisitorInfo;
import java.awt.BorderLayout;
import java.awt.Dimension;
import java.awt.Font;
import java.time.Duration;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import javax.swing.BorderFactory;
import javax.swing.JLabel;
import javax.swing.JPanel;
import javax.swing.JScrollPane;
import javax.swing.JTextArea;

/**
 * What the server tells us about the visitor: identity (and whether the site signed it), presence, device,
 * referrer and campaign, the page trail, earlier conversations. All of it is visitor-supplied, so it is shown only
 * in a label and a text area that cannot render HTML ({@link Plain}).
 */
final class VisitorPanel extends JPanel {

  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm").withZone(ZoneId.systemDefault());

  private final Texts texts;
  private final JLabel name = Plain.label(" ");
  private final JTextArea details = Plain.readOnlyArea("visitorDetails");

  VisitorPanel(Texts texts) {
    super(new BorderLayout());
    this.texts = texts;
    setName("visitorPanel");
    name.setName("visitorName");
    name.setFont(name.getFont().deriveFont(Font.BOLD));
    name.setBorder(BorderFactory.createEmptyBorder(4, 4, 4, 4));
    JScrollPane scroll = new JScrollPane(details);
    scroll.setPreferredSize(new Dimension(260, 200));
    JPanel heading = new JPanel(new BorderLayout());
    heading.add(Plain.label(texts.get("visitor.heading")), BorderLayout.NORTH);
    heading.add(name, BorderLayout.CENTER);
    add(heading, BorderLayout.NORTH);
    add(scroll, BorderLayout.CENTER);
  }

  void show(VisitorInfo v) {
    String title = v.name() != null && !v.name().isBlank() ? v.name() : texts.get("visitor.anonymous");
    if (!title.equals(name.getText())) {
      name.setText(title);
    }
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
    line(out, "visitor.userId", v.userId());
    if (v.identified()) {
      // Unsigned identities are whatever the page's script said; agents must know not to trust them blindly.
      String identity =
          !Boolean.TRUE.equals(v.verified())
              ? "visitor.unverified"
              : "id".equals(v.verifiedFields()) ? "visitor.verifiedIdOnly" : "visitor.verified";
      line(out, "visitor.identity", texts.get(identity));
    }
    if (v.online() != null) {
      line(out, "visitor.presence", texts.get(v.online() ? "visitor.online" : "visitor.offline"));
    }
    if (v.device() != null) {
      line(out, "visitor.device", join(v.device().browser(), v.device().os(), v.device().type()));
    }
    line(out, "visitor.referrer", v.referrer());
    section(out, "visitor.utm", v.utm());
    section(out, "visitor.attributes", v.attributes());
    pages(out, v.pages());
    List<VisitorInfo.PastConversation> earlier = v.earlierConversations();
    if (!earlier.isEmpty()) {
      out.append('\n').append(texts.get("visitor.history", earlier.size())).append('\n');
      for (VisitorInfo.PastConversation c : earlier) {
        out.append("  ").append(join(c.status(), c.conversationId())).append('\n');
      }
    }
    return out.toString();
  }

  /** Oldest first, as the server sends them; a page's time runs until the next page opened. */
  private void pages(StringBuilder out, List<VisitorInfo.Page> pages) {
    if (pages.isEmpty()) {
      return;
    }
    out.append('\n').append(texts.get("visitor.pages")).append('\n');
    for (int i = 0; i < pages.size(); i++) {
      VisitorInfo.Page p = pages.get(i);
      VisitorInfo.Page next = i + 1 < pages.size() ? pages.get(i + 1) : null;
      String stayed =
          p.at() != null && next != null && next.at() != null
              ? texts.get("time.minutes", Math.max(0, Duration.between(p.at(), next.at()).toMinutes()))
              : null;
      out.append("  ").append(join(p.at() == null ? null : TIME.format(p.at()), p.title(), stayed)).append('\n');
      if (p.url() != null) {
        out.append("    ").append(p.url()).append('\n');
      }
    }
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
