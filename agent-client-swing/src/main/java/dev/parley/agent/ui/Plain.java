package dev.parley.agent.ui;

import javax.swing.JComponent;
import javax.swing.JLabel;
import javax.swing.JTextArea;
import javax.swing.text.PlainDocument;

/**
 * Components that can never render HTML. Swing renders any label, list cell or tab title whose text starts with
 * {@code <html>}; visitor text must stay text, so every component that may show it goes through here.
 */
public final class Plain {

  /** The client property Swing's BasicHTML checks before rendering a component's text as HTML. */
  public static final String HTML_DISABLE = "html.disable";

  private Plain() {}

  public static <T extends JComponent> T noHtml(T component) {
    component.putClientProperty(HTML_DISABLE, Boolean.TRUE);
    return component;
  }

  /** The property goes on before the text: a label given its text in the constructor has already parsed it. */
  public static JLabel label(String text) {
    JLabel label = noHtml(new JLabel());
    label.setText(text);
    return label;
  }

  /** A read-only, wrapping text area on a plain document: text in, the same characters on screen. */
  public static JTextArea readOnlyArea(String name) {
    JTextArea area = noHtml(new JTextArea(new PlainDocument()));
    area.setName(name);
    area.setEditable(false);
    area.setLineWrap(true);
    area.setWrapStyleWord(true);
    return area;
  }
}
