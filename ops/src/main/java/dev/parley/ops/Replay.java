package dev.parley.ops;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.parley.core.conversation.Conversation;
import dev.parley.persistence.config.PersistenceSettings;
import dev.parley.persistence.config.Storage;
import dev.parley.persistence.history.JournalConversationHistory;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.persistence.query.EventEnvelope;
import org.apache.pekko.stream.javadsl.Sink;

/**
 * {@code replay <conversation-id>}: prints a conversation's full history straight from the event journal, on
 * whichever database the PARLEY_DB* settings name: by default the embedded PostgreSQL server under
 * PARLEY_DATA_DIR, read beside the running node (or started for the tool when no node runs).
 *
 * <p>Visitor and agent text is printed JSON-escaped, so that no message can move the cursor or recolour an
 * operator's terminal.
 */
public final class Replay {

  /** Exit status when the journal has no event for the conversation. */
  public static final int NOT_FOUND = 2;
  private static final Pattern ID = Pattern.compile("[A-Za-z0-9_-]{1,64}");
  private static final Duration READ_TIMEOUT = Duration.ofMinutes(2);

  private Replay() {}

  public static void main(String[] args) {
    PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
    PrintStream err = new PrintStream(System.err, true, StandardCharsets.UTF_8);
    System.exit(run(args, ConfigFactory.load(), out, err));
  }

  /** Runs the tool; returns the process exit status. */
  public static int run(String[] args, Config config, PrintStream out, PrintStream err) {
    if (args.length != 1 || !ID.matcher(args[0]).matches()) {
      err.println("usage: replay <conversation-id>");
      return 64;
    }
    String conversationId = args[0];
    Storage database = Storage.openForTool(config.resolve());
    PersistenceSettings storage = database.settings();
    Config systemConfig =
        storage
            .pekkoConfig()
            .withFallback(
                ConfigFactory.parseString(
                    "pekko.actor.provider = local\npekko.loglevel = WARNING\npekko.stdout-loglevel = OFF"))
            .withFallback(config)
            .resolve();
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "replay", systemConfig);
    try {
      List<EventEnvelope> events =
          new JournalConversationHistory(system)
              .events(conversationId, 0)
              .runWith(Sink.seq(), system)
              .toCompletableFuture()
              .get(READ_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
      if (events.isEmpty()) {
        err.println("no events for conversation " + conversationId);
        return NOT_FOUND;
      }
      out.println(
          "conversation " + conversationId + ": " + events.size() + " events");
      for (EventEnvelope envelope : events) {
        out.println(describe(envelope));
      }
      return 0;
    } catch (Exception e) {
      err.println("replay failed: " + e);
      return 1;
    } finally {
      system.terminate();
      try {
        system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
      } catch (Exception e) {
        err.println("shutdown: " + e);
      }
      database.close();
    }
  }

  static String describe(EventEnvelope envelope) {
    String prefix = String.format("#%-5d ", envelope.sequenceNr());
    Object event = envelope.event();
    if (event instanceof Conversation.Opened o) {
      return prefix + o.at() + "  opened   site=" + o.siteId() + " visitor=" + o.visitorId();
    } else if (event instanceof Conversation.MessagePosted m) {
      return prefix + m.at() + "  message  seq=" + m.seq() + " " + who(m.author()) + " id=" + quote(m.clientMessageId())
          + " text=" + quote(m.text());
    } else if (event instanceof Conversation.AgentJoined j) {
      return prefix + j.at() + "  joined   seq=" + j.seq() + " agent:" + j.agentId();
    } else if (event instanceof Conversation.ReadUpTo r) {
      return prefix + r.at() + "  read     " + who(r.reader()) + " up to seq " + r.upToSeq();
    } else if (event instanceof Conversation.Closed c) {
      return prefix + c.at() + "  closed   seq=" + c.seq() + " by " + who(c.by());
    }
    return prefix + "unknown event " + event.getClass().getName();
  }

  private static String who(dev.parley.core.common.Participant p) {
    return p.role().name().toLowerCase() + ":" + p.id();
  }

  /** A JSON string literal: quotes, backslashes and every control character escaped. */
  static String quote(String s) {
    if (s == null) {
      return "null";
    }
    StringBuilder sb = new StringBuilder(s.length() + 2).append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        case '\t' -> sb.append("\\t");
        default -> {
          if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0) || c == '\u2028' || c == '\u2029') {
            sb.append(String.format("\\u%04x", (int) c));
          } else {
            sb.append(c);
          }
        }
      }
    }
    return sb.append('"').toString();
  }
}
