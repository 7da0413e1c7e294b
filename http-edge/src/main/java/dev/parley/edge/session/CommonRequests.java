package dev.parley.edge.session;

import dev.parley.core.common.Caller;
import dev.parley.core.conversation.Conversation;
import dev.parley.core.routing.RoutingHints;
import dev.parley.edge.files.Attachments;
import dev.parley.edge.protocol.ClientFrame;
import dev.parley.edge.protocol.ErrorCode;
import dev.parley.edge.protocol.ErrorFrames;
import dev.parley.edge.protocol.ServerFrame;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import org.apache.pekko.Done;
import org.apache.pekko.pattern.StatusReply;

/**
 * The requests visitors and agents share — {@code sync}, {@code typing}, {@code read}, {@code close} and the
 * posting half of {@code send} — and how an entity's answer becomes an {@code ack} or an {@code error} frame. The
 * role's handler adds its own requests ({@link #handleOwn}); any other frame is one the role may not send, refused
 * with the reason the handler gives ({@link #notAllowed}). Runs on the session's actor, which owns its state.
 */
abstract class CommonRequests implements RequestHandler {

  /** Typing frames forwarded per conversation: a change, or a repeat after this long. */
  static final Duration TYPING_REPEAT = Duration.ofSeconds(2);

  private record TypingSent(boolean typing, long atNanos) {}

  final Session session;
  final Caller caller;
  final Subscriptions subscriptions;
  final Entities entities;
  /** The last typing state forwarded per conversation, and when; one entry per conversation typed in. */
  private final Map<String, TypingSent> typingSent = new HashMap<>();

  CommonRequests(Session session, Caller caller, Subscriptions subscriptions) {
    this.session = session;
    this.caller = caller;
    this.subscriptions = subscriptions;
    this.entities = session.entities();
  }

  @Override
  public void handle(ClientFrame frame) {
    if (frame instanceof ClientFrame.Sync sync) {
      subscriptions.sync(sync.conversationId(), sync.afterSeq());
    } else if (frame instanceof ClientFrame.Typing typing) {
      onTyping(typing);
    } else if (frame instanceof ClientFrame.Read read) {
      onRead(read);
    } else if (frame instanceof ClientFrame.Close close) {
      onClose(close);
    } else if (!handleOwn(frame)) {
      session.send(
          ServerFrame.Error.of(ErrorCode.NOT_ALLOWED, notAllowed(frame)).withRef(RequestHandler.refOf(frame)));
    }
  }

  /** The role's own requests; false for a frame the role may not send. */
  abstract boolean handleOwn(ClientFrame frame);

  /** Why the role may not send this frame. */
  abstract String notAllowed(ClientFrame frame);

  /** A conversation this connection closed: the role forgets what it knew of it. */
  void closed(String conversationId) {}

  // Shared requests --------------------------------------------------------------------------------------------

  private void onTyping(ClientFrame.Typing typing) {
    long now = System.nanoTime();
    TypingSent last = typingSent.get(typing.conversationId());
    if (last != null
        && last.typing() == typing.typing()
        && now - last.atNanos() < TYPING_REPEAT.toNanos()) {
      return;
    }
    if (!subscriptions.follows(typing.conversationId())) {
      return; // typing is ephemeral: silently ignored for conversations the client does not follow
    }
    typingSent.put(typing.conversationId(), new TypingSent(typing.typing(), now));
    entities.conversation(typing.conversationId()).tell(new Conversation.SetTyping(caller, typing.typing()));
  }

  private void onRead(ClientFrame.Read read) {
    session.requestStarted();
    session.whenDone(
        entities.conversation(read.conversationId())
            .<StatusReply<Done>>ask(
                replyTo -> new Conversation.MarkRead(caller, read.seq(), replyTo), session.askTimeout()),
        (reply, failure) -> {
          session.requestDone();
          // The read mark reaches every subscriber, this one included, as a read frame.
          answer(null, read.conversationId(), reply, failure, done -> {});
        });
  }

  private void onClose(ClientFrame.Close close) {
    String id = close.conversationId();
    session.requestStarted();
    session.whenDone(
        entities.conversation(id)
            .<StatusReply<Conversation.Ended>>ask(
                replyTo -> new Conversation.Close(caller, replyTo), session.askTimeout()),
        (reply, failure) -> {
          session.requestDone();
          answer(
              close.id(),
              id,
              reply,
              failure,
              ended -> {
                session.send(new ServerFrame.Ack(close.id(), id, ended.seq(), null));
                closed(id);
              });
        });
  }

  /**
   * Posts a message to a conversation; {@code then} gets the answer, once the request ended. {@code implicit}: a
   * visitor's message to "my conversation", which the conversation may open.
   */
  void post(
      ClientFrame.Send send,
      String conversationId,
      boolean implicit,
      RoutingHints hints,
      BiConsumer<StatusReply<Conversation.Posted>, Throwable> then) {
    session.requestStarted();
    CompletionStage<StatusReply<Conversation.Posted>> posted;
    if (!send.hasFile()) {
      posted = ask(send, send.text(), conversationId, implicit, hints, null);
    } else {
      // A file: the sender's complete upload (durable already), then the message, then the file is the
      // conversation's. The ack waits for all three, so an acknowledged file message has its bytes stored.
      Attachments files = session.deps().attachments();
      Executor blocking = session.deps().blocking();
      posted =
          files
              .resolve(caller, send, conversationId)
              .thenComposeAsync(
                  file ->
                      ask(send, send.text().isBlank() ? file.name() : send.text(), conversationId, implicit, hints, file)
                          .thenComposeAsync(
                              reply ->
                                  reply.isSuccess()
                                      ? files.attach(file, conversationId).thenApply(attached -> reply)
                                      : CompletableFuture.completedFuture(reply),
                              blocking),
                  blocking);
    }
    session.whenDone(
        posted,
        (reply, failure) -> {
          session.requestDone();
          then.accept(reply, failure);
        });
  }

  private CompletionStage<StatusReply<Conversation.Posted>> ask(
      ClientFrame.Send send,
      String text,
      String conversationId,
      boolean implicit,
      RoutingHints hints,
      Conversation.Attachment file) {
    return entities.conversation(conversationId)
        .<StatusReply<Conversation.Posted>>ask(
            replyTo -> new Conversation.PostMessage(caller, send.id(), text, implicit, replyTo, hints, file),
            session.askTimeout());
  }

  /**
   * Answers a posted message: {@code ack} with its seq (and whether it was a repeat), then follows the conversation
   * from its start unless it already does. True if the message was stored.
   */
  boolean acknowledge(
      ClientFrame.Send send, String conversationId, StatusReply<Conversation.Posted> reply, Throwable failure) {
    if (failure != null || reply.isError()) {
      answer(send.id(), conversationId, reply, failure, posted -> {});
      return false;
    }
    Conversation.Posted posted = reply.getValue();
    session.send(
        new ServerFrame.Ack(send.id(), conversationId, posted.seq(), posted.duplicate() ? Boolean.TRUE : null));
    subscriptions.followFromStart(conversationId);
    return true;
  }

  // Answers ----------------------------------------------------------------------------------------------------

  /**
   * Turns an entity's answer into frames: a failure or a rejection becomes the matching error frame (with {@code
   * ref} and the conversation where given), a success goes to {@code accepted}.
   */
  <T> void answer(
      String ref, String conversationId, StatusReply<T> reply, Throwable failure, Consumer<T> accepted) {
    if (failure != null) {
      session.sendFailure(failure, ref, conversationId);
    } else if (reply.isError()) {
      ServerFrame.Error error = ErrorFrames.rejection(reply.getError().getMessage(), conversationId);
      session.send(ref != null ? error.withRef(ref) : error);
    } else {
      accepted.accept(reply.getValue());
    }
  }

  /** The ack of a request that has no seq. */
  void ack(String ref, String conversationId) {
    session.send(new ServerFrame.Ack(ref, conversationId, null, null));
  }
}
