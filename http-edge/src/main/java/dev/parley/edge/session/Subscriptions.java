package dev.parley.edge.session;

import dev.parley.core.common.Caller;
import dev.parley.core.conversation.Conversation;
import java.time.Duration;
import java.util.function.Consumer;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.ReceiveBuilder;
import org.apache.pekko.pattern.StatusReply;

/**
 * The conversation subscriptions of an authenticated connection: the actor's side of {@link Following}. It hands
 * {@link Following} the client's follows and syncs, the conversations' answers and notifications, the journal's
 * pages and the due timers, and carries out each {@link Following.Step} it gets back: sends the frames, asks the
 * conversations, reads the journal (later, while the client is slow to take what it has), sets the retry timers.
 * Runs on the session's actor; {@link Following} holds the state.
 */
final class Subscriptions {

  /** How long a journal read waits while the client's outbound queue is more than half full. */
  static final Duration HISTORY_BACKPRESSURE_DELAY = Duration.ofMillis(100);

  record FromConversation(Conversation.Notification notification) implements Session.Command {}

  /** A {@link Following.RetryLater} is due. */
  private record RetryDue(String conversationId, long generation) implements Session.Command {}

  /** A {@link Following.ReadHistory} that waited for a slow client is due. */
  private record HistoryDue(String conversationId, long generation) implements Session.Command {}

  private final Session session;
  private final Caller caller;
  private final Following following;
  private final ActorRef<Conversation.Notification> notifications;
  private final Consumer<Following.InSync> inSync;

  /** {@code inSync}: told each time a followed conversation is in sync, with its visitor. */
  Subscriptions(Session session, Caller caller, Consumer<Following.InSync> inSync) {
    this.session = session;
    this.caller = caller;
    this.inSync = inSync;
    this.following = new Following(session.id(), caller.isAgent(), Math::random, session.log());
    this.notifications =
        session.context().messageAdapter(Conversation.Notification.class, FromConversation::new);
  }

  void receive(ReceiveBuilder<Session.Command> builder) {
    builder
        .onMessage(
            FromConversation.class,
            m -> {
              apply(following.notified(m.notification()));
              return Behaviors.same();
            })
        .onMessage(
            RetryDue.class,
            m -> {
              apply(following.retryDue(m.conversationId(), m.generation()));
              return Behaviors.same();
            })
        .onMessage(
            HistoryDue.class,
            m -> {
              apply(following.historyDue(m.conversationId(), m.generation()));
              return Behaviors.same();
            });
  }

  boolean follows(String conversationId) {
    return following.follows(conversationId);
  }

  /** Follows a conversation from {@code afterSeq}; see {@link Following#follow}. */
  void follow(String conversationId, long afterSeq, boolean requested) {
    apply(following.follow(conversationId, afterSeq, requested));
  }

  /**
   * Follows a conversation this connection wrote to, claimed or was handed, from seq 0 (every event of it), unless
   * it follows it already.
   */
  void followFromStart(String conversationId) {
    if (!following.follows(conversationId)) {
      follow(conversationId, 0L, false);
    }
  }

  /** The client's {@code sync}. */
  void sync(String conversationId, long afterSeq) {
    apply(following.sync(conversationId, afterSeq));
  }

  void renew() {
    apply(following.renewalDue());
  }

  void stopped() {
    following.conversationIds()
        .forEach(id -> session.entities().conversation(id).tell(new Conversation.Unsubscribe(notifications)));
  }

  /** Sends a step's frames, then makes its requests. */
  private void apply(Following.Step step) {
    step.frames().forEach(session::send);
    for (Following.Request request : step.requests()) {
      if (request instanceof Following.Subscribe subscribe) {
        subscribe(subscribe);
      } else if (request instanceof Following.ReadHistory read) {
        readHistory(read);
      } else if (request instanceof Following.RetryLater retry) {
        session.timers()
            .startSingleTimer(
                "resync-" + retry.conversationId(),
                new RetryDue(retry.conversationId(), retry.generation()),
                retry.delay());
      } else if (request instanceof Following.InSync synced) {
        inSync.accept(synced);
      }
    }
  }

  private void subscribe(Following.Subscribe subscribe) {
    String id = subscribe.conversationId();
    session.whenDone(
        session.entities()
            .conversation(id)
            .<StatusReply<Conversation.Subscribed>>ask(
                replyTo -> new Conversation.Subscribe(caller, notifications, subscribe.afterSeq(), replyTo),
                session.askTimeout()),
        (reply, failure) -> apply(following.subscribeAnswered(id, subscribe.generation(), reply, failure)));
  }

  private void readHistory(Following.ReadHistory read) {
    String id = read.conversationId();
    if (session.outboundBacklog() > session.deps().settings().maxOutboundFrames() / 2) {
      // Let the client drain what it already has before reading more.
      session.timers()
          .startSingleTimer("history-" + id, new HistoryDue(id, read.generation()), HISTORY_BACKPRESSURE_DELAY);
      return;
    }
    session.whenDone(
        session.deps().history().entries(id, read.afterSeq(), read.upToSeq()),
        (entries, failure) -> apply(following.historyRead(id, read.generation(), entries, failure)));
  }
}
