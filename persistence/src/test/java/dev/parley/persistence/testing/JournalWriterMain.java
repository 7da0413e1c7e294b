package dev.parley.persistence.testing;

import dev.parley.core.common.Caller;
import dev.parley.core.conversation.Conversation;
import dev.parley.core.conversation.ConversationPeers;
import dev.parley.persistence.config.PersistenceSettings;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.pattern.StatusReply;

/**
 * A separate process that posts messages to several conversations and prints one line per acknowledgement,
 * until it is killed. {@code AcknowledgedWritesSurviveAKilledProcessTest} kills it with SIGKILL mid-stream.
 *
 * <p>Arguments: kind (H2 or POSTGRESQL), JDBC URL, user, password, then conversation ids.
 */
public final class JournalWriterMain {

  public static void main(String[] args) {
    PersistenceSettings settings =
        new PersistenceSettings(
            PersistenceSettings.Kind.valueOf(args[0]), args[1], args[2], args[3], 8, 2);
    ActorSystem<Void> system =
        ActorSystem.create(Behaviors.empty(), "writer", Journals.localConfig(settings));
    PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
    ConversationPeers quiet =
        new ConversationPeers() {
          @Override
          public void waiting(String s, String c, String v, Instant since) {}

          @Override
          public void assigned(String s, String c, String v, String a) {}

          @Override
          public void closed(String s, String c, String v, String a) {}
        };
    AtomicLong counter = new AtomicLong();
    for (int i = 4; i < args.length; i++) {
      String conversationId = args[i];
      ActorRef<Conversation.Command> conversation =
          system.systemActorOf(
              Conversation.create(conversationId, quiet, Clock.systemUTC()),
              "c-" + conversationId,
              org.apache.pekko.actor.typed.Props.empty());
      Caller visitor = Caller.visitor("site", "visitor-" + conversationId);
      postForever(system, conversation, visitor, conversationId, counter, out);
    }
  }

  private static void postForever(
      ActorSystem<Void> system,
      ActorRef<Conversation.Command> conversation,
      Caller visitor,
      String conversationId,
      AtomicLong counter,
      PrintStream out) {
    String clientMessageId = "m-" + counter.incrementAndGet();
    AskPattern.<Conversation.Command, StatusReply<Conversation.Posted>>ask(
            conversation,
            replyTo ->
                new Conversation.PostMessage(visitor, clientMessageId, "text " + clientMessageId, true, replyTo),
            Duration.ofSeconds(10),
            system.scheduler())
        .whenCompleteAsync(
            (reply, failure) -> {
              if (reply != null && reply.isSuccess()) {
                out.println("ACK " + conversationId + " " + reply.getValue().seq() + " " + clientMessageId);
              }
              postForever(system, conversation, visitor, conversationId, counter, out);
            },
            system.executionContext());
  }
}
