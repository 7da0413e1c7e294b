package dev.parley.edge.session;

import dev.parley.core.common.Caller;
import dev.parley.edge.protocol.ClientFrame;
import dev.parley.edge.protocol.ErrorCode;
import dev.parley.edge.protocol.ServerFrame;
import dev.parley.edge.visitors.VisitorFilter;
import dev.parley.edge.visitors.VisitorFrames;
import dev.parley.edge.visitors.VisitorsNow;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.ActorContext;

/**
 * The live visitor lists an agent's connection watches ({@code watchVisitors}, docs/PROTOCOL.md §12): one per site
 * it works for, each with its own server-side filter, fed by this node's {@link VisitorsNow} registry with at most
 * one update a second. Runs on the session's actor, which owns its state.
 */
final class VisitorWatches {

  record FromRegistry(VisitorsNow.ListUpdate update) implements Session.Command {}

  private final Caller caller;
  private final ActorRef<VisitorsNow.Command> registry;
  private final Consumer<ServerFrame> send;
  private final ActorRef<VisitorsNow.ListUpdate> updates;
  /** Site → the language the watcher asked for (null: English). */
  private final Map<String, String> languages = new HashMap<>();

  VisitorWatches(
      ActorContext<Session.Command> context,
      Caller caller,
      ActorRef<VisitorsNow.Command> registry,
      Consumer<ServerFrame> send) {
    this.caller = caller;
    this.registry = registry;
    this.send = send;
    this.updates = context.messageAdapter(VisitorsNow.ListUpdate.class, FromRegistry::new);
  }

  void watch(ClientFrame.WatchVisitors watch) {
    if (!caller.belongsTo(watch.siteId())) {
      send.accept(
          ServerFrame.Error.of(ErrorCode.NOT_ALLOWED, "you do not work for this site").withField("siteId"));
      return;
    }
    languages.put(watch.siteId(), watch.lang());
    registry.tell(
        new VisitorsNow.Watch(
            watch.siteId(),
            updates,
            new VisitorFilter(watch.text(), watch.chat(), watch.returning(), watch.country()),
            watch.limit()));
  }

  void unwatch(ClientFrame.UnwatchVisitors unwatch) {
    if (languages.containsKey(unwatch.siteId())) {
      languages.remove(unwatch.siteId());
      registry.tell(new VisitorsNow.Unwatch(unwatch.siteId(), updates));
    }
  }

  void onUpdate(FromRegistry message) {
    String siteId = message.update().siteId();
    if (!languages.containsKey(siteId)) {
      return; // unwatched meanwhile
    }
    send.accept(VisitorFrames.frame(message.update(), languages.get(siteId)));
  }

  void stopped() {
    for (String siteId : languages.keySet()) {
      registry.tell(new VisitorsNow.Unwatch(siteId, updates));
    }
  }
}
