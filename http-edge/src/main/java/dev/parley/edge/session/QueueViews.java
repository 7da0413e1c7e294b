package dev.parley.edge.session;

import dev.parley.core.dispatcher.Dispatcher;
import dev.parley.edge.protocol.ServerFrame;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.IntStream;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.ActorContext;

/**
 * The waiting queues an agent's connection watches, one per site the agent works for, as {@code queue} and
 * {@code queueChanged} frames: the whole queue when a watch starts (or the dispatcher started it afresh), then
 * only what changed (docs/PROTOCOL.md §10). Watches are renewed with the session's subscriptions, so that a
 * dispatcher that restarted or moved learns them again. Runs on the session's actor, which owns its state.
 */
final class QueueViews {

  record FromQueue(Dispatcher.QueueNotice notice) implements Session.Command {}

  private final Entities entities;
  private final Consumer<ServerFrame> send;
  private final ActorRef<Dispatcher.QueueNotice> notices;
  /** The sites whose queue this connection watches. */
  private final Set<String> watched = new LinkedHashSet<>();

  QueueViews(ActorContext<Session.Command> context, Entities entities, Consumer<ServerFrame> send) {
    this.entities = entities;
    this.send = send;
    this.notices = context.messageAdapter(Dispatcher.QueueNotice.class, FromQueue::new);
  }

  void watch(Set<String> sites) {
    for (String site : sites) {
      watched.add(site);
      entities.dispatcher(site).tell(new Dispatcher.Watch(notices));
    }
  }

  void onNotice(FromQueue message) {
    Dispatcher.QueueNotice notice = message.notice();
    if (!watched.contains(notice.siteId())) {
      return;
    }
    if (notice instanceof Dispatcher.QueueView view) {
      send.accept(
          new ServerFrame.Queue(
              view.siteId(),
              IntStream.range(0, view.waiting().size())
                  .mapToObj(i -> waitingView(view.waiting().get(i), i + 1))
                  .toList(),
              view.missed().stream().map(w -> waitingView(w, null)).toList()));
    } else if (notice instanceof Dispatcher.QueueChanged change) {
      send.accept(
          new ServerFrame.QueueChanged(
              change.siteId(),
              change.removed(),
              change.added().stream().map(w -> waitingView(w, null)).toList(),
              change.total(),
              change.missed() == null ? null : change.missed().stream().map(w -> waitingView(w, null)).toList()));
    }
  }

  void renew() {
    for (String site : watched) {
      entities.dispatcher(site).tell(new Dispatcher.Watch(notices));
    }
  }

  void stopped() {
    watched.forEach(site -> entities.dispatcher(site).tell(new Dispatcher.Unwatch(notices)));
  }

  private static ServerFrame.WaitingView waitingView(Dispatcher.Waiting w, Integer position) {
    return new ServerFrame.WaitingView(w.conversationId(), w.visitorId(), w.since(), w.group(), position);
  }
}
