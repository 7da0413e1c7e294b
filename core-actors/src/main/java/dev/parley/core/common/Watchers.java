package dev.parley.core.common;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.ActorContext;

/**
 * A bounded set of live actor refs that an entity pushes to (subscribers, watchers, sessions), each with a value
 * (who it is), each death-watched so that a stopped one is forgotten. In memory only: the entity forgets them all
 * when it stops, and its subscribers renew themselves (docs/DECISIONS.md, "Edge").
 *
 * <p>One actor may keep several sets whose refs overlap — all message adapters of one actor share a single ref,
 * and a ref can be death-watched with only one message — so the sets of one actor share a {@link DeathWatch},
 * which counts the sets a ref is in and tells every set when it stops. Not thread-safe: owned by the actor.
 *
 * @param <T> what the refs accept
 * @param <V> what is kept about each ref
 */
public final class Watchers<T, V> {

  /**
   * The death watch of one actor: watches a ref once, with {@code gone} as the message, however many sets hold it;
   * the actor hands that message back to {@link #stopped}.
   */
  public static final class DeathWatch {
    private final ActorContext<?> context;
    private final Function<ActorRef<?>, Object> gone;
    private final Map<ActorRef<?>, Integer> holders = new HashMap<>();
    private final java.util.List<Watchers<?, ?>> sets = new java.util.ArrayList<>();

    /** {@code gone}: the message this actor receives when a watched ref stops (it must accept it). */
    @SuppressWarnings({"unchecked", "rawtypes"})
    public <C> DeathWatch(ActorContext<C> context, Function<ActorRef<?>, ? extends C> gone) {
      this.context = context;
      this.gone = (Function) gone;
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private void hold(ActorRef<?> ref) {
      if (holders.merge(ref, 1, Integer::sum) == 1) {
        ((ActorContext) context).watchWith(ref, gone.apply(ref));
      }
    }

    private void release(ActorRef<?> ref) {
      Integer n = holders.get(ref);
      if (n == null) {
        return;
      }
      if (n <= 1) {
        holders.remove(ref);
        context.unwatch(ref);
      } else {
        holders.put(ref, n - 1);
      }
    }

    /** The watched {@code ref} stopped: every set forgets it. Call from the handler of the {@code gone} message. */
    public void stopped(ActorRef<?> ref) {
      holders.remove(ref);
      for (Watchers<?, ?> set : sets) {
        set.members.remove(ref);
      }
    }
  }

  private final DeathWatch deathWatch;
  private final int max;
  private final LinkedHashMap<ActorRef<T>, V> members = new LinkedHashMap<>();

  /** A set of at most {@code max} refs, death-watched through {@code deathWatch}. */
  public Watchers(DeathWatch deathWatch, int max) {
    this.deathWatch = deathWatch;
    this.max = max;
    deathWatch.sets.add(this);
  }

  /** A set with a death watch of its own (for an actor that keeps one set). */
  public static <T, V, C> Watchers<T, V> of(
      ActorContext<C> context, int max, Function<ActorRef<?>, ? extends C> gone) {
    return new Watchers<>(new DeathWatch(context, gone), max);
  }

  /**
   * Adds {@code ref} (or renews it, replacing its value). False, with nothing changed, when the set is full and
   * {@code ref} is not in it.
   */
  public boolean add(ActorRef<T> ref, V value) {
    if (!members.containsKey(ref)) {
      if (members.size() >= max) {
        return false;
      }
      deathWatch.hold(ref);
    }
    members.put(ref, value);
    return true;
  }

  /** Removes {@code ref}, if present. */
  public void remove(ActorRef<T> ref) {
    if (members.containsKey(ref)) {
      members.remove(ref);
      deathWatch.release(ref);
    }
  }

  public boolean contains(ActorRef<?> ref) {
    return members.containsKey(ref);
  }

  public V get(ActorRef<?> ref) {
    return members.get(ref);
  }

  public int size() {
    return members.size();
  }

  public boolean isEmpty() {
    return members.isEmpty();
  }

  public boolean isFull() {
    return members.size() >= max;
  }

  /** {@code ref} stopped (the {@code gone} message of a set made by {@link #of}): every set of its watch forgets it. */
  public void stopped(ActorRef<?> ref) {
    deathWatch.stopped(ref);
  }

  public Set<ActorRef<T>> refs() {
    return members.keySet();
  }

  /** Tells every member {@code message}. */
  public void tellAll(T message) {
    members.keySet().forEach(ref -> ref.tell(message));
  }

  public void forEach(BiConsumer<ActorRef<T>, V> action) {
    members.forEach(action);
  }
}
