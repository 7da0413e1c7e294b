package dev.parley.agent.core;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Canned answers, one per line: the agent's own ({@code quick-replies.txt}) and the team's
 * ({@code team-quick-replies.txt}, a file an admin can drop on a shared drive or copy to every machine). The server
 * has no quick-reply storage yet; when it does, team replies come from there (tracked in issue 4's notes).
 * Placeholders such as {@code {visitor.name}} are filled in when a reply is used.
 */
public final class QuickReplies {

  private static final Logger LOG = LoggerFactory.getLogger(QuickReplies.class);

  public static final int MAX_REPLIES = 200;
  private static final Pattern VARIABLE = Pattern.compile("\\{([a-z]+\\.[a-zA-Z]+)}");

  public record Reply(String text, boolean team) {}

  private QuickReplies() {}

  public static List<Reply> load(AgentHome home) {
    List<Reply> replies = new ArrayList<>();
    read(home.personalQuickReplies(), false, replies);
    read(home.teamQuickReplies(), true, replies);
    return List.copyOf(replies);
  }

  private static void read(Path file, boolean team, List<Reply> into) {
    if (!Files.exists(file)) {
      return;
    }
    try {
      for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
        if (!line.isBlank() && !line.startsWith("#") && into.size() < MAX_REPLIES) {
          into.add(new Reply(line.strip().replace("\\n", "\n"), team));
        }
      }
    } catch (IOException e) {
      LOG.warn("could not read quick replies {}", file, e);
    }
  }

  /** Adds a personal reply to the agent's own file. */
  public static void addPersonal(AgentHome home, String text) throws IOException {
    List<String> lines =
        Files.exists(home.personalQuickReplies())
            ? new ArrayList<>(Files.readAllLines(home.personalQuickReplies(), StandardCharsets.UTF_8))
            : new ArrayList<>();
    lines.add(text.replace("\n", "\\n"));
    AtomicFiles.write(home.personalQuickReplies(), String.join("\n", lines).getBytes(StandardCharsets.UTF_8));
  }

  /**
   * Fills {@code {visitor.name}}, {@code {visitor.email}}, {@code {visitor.id}} and {@code {agent.name}}; an
   * unknown value becomes empty and an unknown variable is left as written, so a typo is visible before sending.
   */
  public static String fill(String template, VisitorInfo visitor, String agentName) {
    Map<String, String> values =
        Map.of(
            "visitor.name", nonNull(visitor == null ? null : visitor.name()),
            "visitor.email", nonNull(visitor == null ? null : visitor.email()),
            "visitor.id", nonNull(visitor == null ? null : visitor.visitorId()),
            "agent.name", nonNull(agentName));
    Matcher m = VARIABLE.matcher(template);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String value = values.get(m.group(1));
      m.appendReplacement(out, Matcher.quoteReplacement(value != null ? value : m.group()));
    }
    m.appendTail(out);
    return out.toString();
  }

  private static String nonNull(String s) {
    return s == null ? "" : s;
  }
}
