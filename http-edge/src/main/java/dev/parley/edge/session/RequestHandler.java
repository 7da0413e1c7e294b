package dev.parley.edge.session;

import dev.parley.edge.protocol.ClientFrame;
import org.apache.pekko.actor.typed.javadsl.ReceiveBuilder;

/**
 * What one role may ask of the server over an authenticated connection, and the role's presence with the entities
 * that answer it. There is one implementation per role, {@link VisitorRequests} and {@link AgentRequests}: what a
 * role may not do is a request its handler does not have (it answers {@code not-allowed}), not a check of the
 * role in every request. Implementations run on the session's actor and own their state.
 */
interface RequestHandler {

  /** After {@code welcome}: announce the connection where the role is present (queues, routing). */
  void started();

  /** A request frame: anything but {@code hello} and {@code ping}, which the session answers itself. */
  void handle(ClientFrame frame);

  /** Adds the messages the role's entities send it (offers, queue changes, profiles, positions…). */
  void receive(ReceiveBuilder<Session.Command> builder);

  /** A followed conversation is in sync, and this is its visitor. */
  void inSync(Following.InSync inSync);

  /** The periodic renewal: tell again what an entity that restarted or moved has forgotten. */
  void renew();

  /** The connection ended. */
  void stopped();

  /** The id of a request frame, which its answer names as {@code ref}; null for frames without one. */
  static String refOf(ClientFrame frame) {
    if (frame instanceof ClientFrame.Send s) {
      return s.id();
    } else if (frame instanceof ClientFrame.Claim c) {
      return c.id();
    } else if (frame instanceof ClientFrame.Close c) {
      return c.id();
    } else if (frame instanceof ClientFrame.SetStatus s) {
      return s.id();
    } else if (frame instanceof ClientFrame.Identify i) {
      return i.id();
    } else if (frame instanceof ClientFrame.Decline d) {
      return d.id();
    } else if (frame instanceof ClientFrame.Transfer t) {
      return t.id();
    } else if (frame instanceof ClientFrame.Note n) {
      return n.id();
    } else if (frame instanceof ClientFrame.Rate r) {
      return r.id();
    }
    return null;
  }
}
