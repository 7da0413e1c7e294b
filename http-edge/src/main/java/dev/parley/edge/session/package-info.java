/**
 * A client connection's session, whatever its transport: the wire protocol on one side, the domain's entities on
 * the other, and no business rules. {@link dev.parley.edge.session.Session} is the connection (lifecycle,
 * backpressure, output); its behaviours are {@code AwaitingHello} (login) and then {@code Authenticated}, which
 * hands request frames to the role's {@code RequestHandler} ({@code VisitorRequests} or {@code AgentRequests})
 * and keeps the followed conversations in sync through {@code Subscriptions}, the actor's side of the plain
 * {@code Following}. The transports reach a session through its two ports, {@link
 * dev.parley.edge.session.InboundFrame} and {@link dev.parley.edge.session.Outbound}; this package imports none
 * of them.
 */
package dev.parley.edge.session;
