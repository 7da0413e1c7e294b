package dev.parley.persistence.testing;

import dev.parley.core.common.EventTags;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;

/**
 * Appends given events to an entity's journal through the real journal plugin, tagged as the entity tags them:
 * for events no command produces yet (erasure) and for large generated histories in tests. {@link #appendWithTags}
 * writes with one given tag, as an older release did.
 */
public final class EventWriter {

  private EventWriter() {}

  public record Append(List<Object> events, ActorRef<Done> replyTo) {}

  /** Appends {@code events} to {@code Type|id} (recovering what is there first) and waits until they are stored. */
  public static void append(ActorSystem<?> system, String entityType, String entityId, List<?> events) {
    write(system, behavior(entityType, entityId), entityType, entityId, events);
  }

  private static void write(
      ActorSystem<?> system, Behavior<Append> behavior, String entityType, String entityId, List<?> events) {
    ActorRef<Append> writer =
        system.systemActorOf(behavior, "writer-" + java.util.UUID.randomUUID(),
            org.apache.pekko.actor.typed.Props.empty());
    try {
      AskPattern.<Append, Done>ask(
              writer, r -> new Append(List.copyOf(events), r), Duration.ofSeconds(30), system.scheduler())
          .toCompletableFuture()
          .get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError("could not append events to " + entityType + "|" + entityId, e);
    } finally {
      system.systemActorOf(
          org.apache.pekko.actor.typed.javadsl.Behaviors.setup(ctx -> {
            ctx.stop(writer);
            return org.apache.pekko.actor.typed.javadsl.Behaviors.stopped();
          }),
          "stopper-" + java.util.UUID.randomUUID(),
          org.apache.pekko.actor.typed.Props.empty());
    }
  }

  /** As {@link #append}, every event with exactly {@code tags} (an older release's tagging). */
  public static void appendWithTags(
      ActorSystem<?> system, String entityType, String entityId, Set<String> tags, List<?> events) {
    write(system, behavior(entityType, entityId, tags), entityType, entityId, events);
  }

  static Behavior<Append> behavior(String entityType, String entityId) {
    return behavior(entityType, entityId, null);
  }

  /** {@code fixedTags}: null to tag as the entity does. */
  static Behavior<Append> behavior(String entityType, String entityId, Set<String> fixedTags) {
    Set<String> tags = fixedTags != null ? fixedTags : Set.of(EventTags.tag(entityType, entityId));
    boolean asEntity = fixedTags == null;
    return new EventSourcedBehavior<Append, Object, Long>(PersistenceId.of(entityType, entityId)) {
      @Override
      public Long emptyState() {
        return 0L;
      }

      @Override
      public CommandHandler<Append, Object, Long> commandHandler() {
        return newCommandHandlerBuilder()
            .forAnyState()
            .onCommand(Append.class, (state, cmd) -> Effect().persist(cmd.events()).thenRun(s -> cmd.replyTo().tell(Done.getInstance())))
            .build();
      }

      @Override
      public EventHandler<Long, Object> eventHandler() {
        return newEventHandlerBuilder().forAnyState().onAnyEvent((state, event) -> state + 1);
      }

      @Override
      public Set<String> tagsFor(Object event) {
        // A conversation's events with effects carry the routing feed's tag too, as the entity gives them.
        return asEntity && event instanceof dev.parley.core.conversation.Conversation.Event e
                && "Conversation".equals(entityType)
            ? dev.parley.core.conversation.Conversation.tagsOf(entityId, e)
            : tags;
      }
    };
  }
}
