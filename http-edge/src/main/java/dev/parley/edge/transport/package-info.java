/**
 * How clients reach a session: WebSocket, Server-Sent Events with POST, and long polling with POST, all carrying
 * the same frames to the same {@link dev.parley.edge.session.Session}. A transport assembles inbound frames
 * ({@link dev.parley.edge.session.InboundFrame}) with backpressure and implements the session's bounded
 * {@link dev.parley.edge.session.Outbound}; it knows nothing of the protocol's requests.
 */
package dev.parley.edge.transport;
