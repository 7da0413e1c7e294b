package dev.parley.edge.auth;

import java.net.InetAddress;
import org.apache.pekko.http.javadsl.model.AttributeKeys;
import org.apache.pekko.http.javadsl.model.HttpRequest;

/**
 * The one place where the client's address is read, for throttling. It is the TCP peer of the connection, never a
 * header: {@code X-Forwarded-For} can be written by anyone, and trusting it would let a guesser pick the address
 * that gets blocked. Behind a reverse proxy this is the proxy's address until trusted-proxy handling replaces this
 * function.
 */
public final class ClientAddress {

  private ClientAddress() {}

  /** The peer's IP address as text, or {@code "unknown"} (needs {@code remote-address-attribute = on}). */
  public static String of(HttpRequest request) {
    return request
        .getAttribute(AttributeKeys.remoteAddress)
        .flatMap(remote -> remote.getAddress())
        .map(InetAddress::getHostAddress)
        .orElse("unknown");
  }
}
