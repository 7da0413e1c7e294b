package dev.parley.core.common;

import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.BehaviorInterceptor;
import org.apache.pekko.actor.typed.TypedActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * Lets an event-sourced entity answer its read-only commands at once, from the state its last applied event left,
 * instead of behind its writes.
 *
 * <p>While an {@code EventSourcedBehavior} persists, it stashes every command that arrives (pekko's stash, bounded by
 * {@code pekko.persistence.typed.stash-capacity}, dropping beyond it). An entity that many clients ask and that
 * writes often, such as a site's Dispatcher when hundreds of visitors arrive at once, then answers each question
 * only after every write queued before it, so the questions time out, or are dropped when the stash overflows. This
 * interceptor sits in front of the entity and gives each command to its {@link Desk} first: a query the desk can
 * answer now is answered and never reaches the stash; everything else goes on to the entity, in order.
 *
 * <p>The desk runs in the entity's own actor, so it may read the entity's state and its in-memory parts without
 * locks. What it answers is the state as of the last event applied, and pekko applies an event to the state when it
 * is persisted, before the journal confirms it: an answer may count a write still in flight, which a failed write
 * would take back (the entity restarts and replays). So a desk answers only advisory reads (counts, positions,
 * availability), never what a decision is made on, must not change persisted state, and answers nothing until the
 * entity has recovered (it passes everything on).
 */
public final class QueriesFirst<C> extends BehaviorInterceptor<C, C> {

  /** Answers the commands it can answer from the entity's current state. */
  @FunctionalInterface
  public interface Desk<C> {
    /** Answers {@code command} and returns true when it is a query this desk answers now; false passes it on. */
    boolean answered(C command);
  }

  private final Desk<C> desk;

  private QueriesFirst(Class<C> commands, Desk<C> desk) {
    super(commands);
    this.desk = desk;
  }

  /** {@code entity} behind a desk that answers queries first. */
  public static <C> Behavior<C> wrap(Class<C> commands, Desk<C> desk, Behavior<C> entity) {
    return Behaviors.intercept(() -> new QueriesFirst<>(commands, desk), entity);
  }

  @Override
  public Behavior<C> aroundReceive(TypedActorContext<C> ctx, C msg, ReceiveTarget<C> target) {
    if (desk.answered(msg)) {
      return Behaviors.same();
    }
    return target.apply(ctx, msg);
  }
}
