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
 * Canned answers: the agent's own, one per line in {@code quick-replies.txt}, and the team's, which the server keeps
 * per site ({@code GET /api/sites/{id}/quick-replies}, read by {@link AgentClient}). Placeholders such as
 * {@code {visitor.name}} are filled in when a reply is used.
 */
public final class QuickReplies {

  private static final Logger LOG = LoggerFactory.getLogger(QuickReplies.class);

  /** At most this many personal replies, and team replies per site, are kept; a longer menu helps nobody. */
  public static final int MAX_REPLIES = 200;

  private static final Pattern VARIABLE = Pattern.compile("\\{([a-z]+\\.[a-zA-Z]+)}");

  /** {@code siteId} and {@code shortcut} are null for the agent's own replies. */
  public record Reply(String text, String siteId, String shortcut) {

    public static Reply personal(String text) {
      return new Reply(text, null, null);
    }

    public boolean team() {
      return siteId != null;
    }
  }

  private QuickReplies() {}

  /** The agent's own replies; none if the file is missing or unreadable (logged). */
  public static List<Reply> loadPersonal(AgentHome home) {
    Path file = home.personalQuickReplies();
    if (!Files.exists(file)) {
      return List.of();
    }
    List<Reply> replies = new ArrayList<>();
    try {
      for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
        if (!line.isBlank() && !line.startsWith("#") && replies.size() < MAX_REPLIES) {
          replies.add(Reply.personal(line.strip().replace("\\n", "\n")));
        }
      }
    } catch (IOException e) {
      LOG.warn("could not read quick replies {}", file, e);
    }
    return List.copyOf(replies);
  }

  /**
   * What a conversation of {@code siteId} offers: the agent's own replies first, then the team replies of that
   * site; all team replies while the site is not known yet.
   */
  public static List<Reply> forSite(List<Reply> personal, List<Reply> team, String siteId) {
    List<Reply> offered = new ArrayList<>(personal);
    team.stream().filter(r -> siteId == null || siteId.equals(r.siteId())).forEach(offered::add);
    return List.copyOf(offered);
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
