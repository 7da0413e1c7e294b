package dev.parley.edge.admission;

import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The address of the client behind a request: the connection's peer, unless that peer is one of the configured
 * trusted proxies, in which case the proxies' {@code X-Forwarded-For} chain is read from the right and the first
 * address that is not a trusted proxy is the client.
 *
 * <p>Why only from trusted proxies: anyone can send an {@code X-Forwarded-For} header. Believing it from anyone
 * would let one address pose as thousands and walk past every per-address limit (and frame others for its own
 * floods). With no trusted proxy configured, the header is ignored.
 */
public final class ClientAddress {

  /** One trusted network: an address and the number of leading bits that must match. */
  record Network(byte[] address, int prefixBits) {
    boolean contains(InetAddress candidate) {
      byte[] bytes = candidate.getAddress();
      if (bytes.length != address.length) {
        return false;
      }
      int full = prefixBits / 8;
      for (int i = 0; i < full; i++) {
        if (bytes[i] != address[i]) {
          return false;
        }
      }
      int rest = prefixBits % 8;
      if (rest == 0) {
        return true;
      }
      int mask = (0xff << (8 - rest)) & 0xff;
      return (bytes[full] & mask) == (address[full] & mask);
    }
  }

  private static final Logger log = LoggerFactory.getLogger(ClientAddress.class);

  private final List<Network> trusted;
  /** Whether the misconfiguration warning was logged; once per node is enough. */
  private final AtomicBoolean warned = new AtomicBoolean();

  private ClientAddress(List<Network> trusted) {
    this.trusted = List.copyOf(trusted);
  }

  /**
   * Trusted proxies as addresses or CIDR blocks ({@code 10.0.0.0/8}, {@code 127.0.0.1}, {@code ::1}),
   * comma-separated; blank for none.
   *
   * @throws IllegalArgumentException naming the entry that is not an address or a block
   */
  public static ClientAddress trusting(String proxies) {
    List<Network> networks = new ArrayList<>();
    for (String entry : proxies.split(",")) {
      String e = entry.trim();
      if (e.isEmpty()) {
        continue;
      }
      String host = e;
      int bits = -1;
      int slash = e.indexOf('/');
      if (slash >= 0) {
        host = e.substring(0, slash);
        try {
          bits = Integer.parseInt(e.substring(slash + 1));
        } catch (NumberFormatException ex) {
          throw new IllegalArgumentException("trusted proxy '" + e + "' is not an address or a CIDR block");
        }
      }
      byte[] address = literal(host)
          .orElseThrow(() -> new IllegalArgumentException("trusted proxy '" + e + "' is not an IP address"))
          .getAddress();
      int max = address.length * 8;
      if (bits < 0) {
        bits = max;
      }
      if (bits > max) {
        throw new IllegalArgumentException("trusted proxy '" + e + "' has a prefix longer than " + max + " bits");
      }
      networks.add(new Network(address, bits));
    }
    return new ClientAddress(networks);
  }

  public boolean trustsAnyProxy() {
    return !trusted.isEmpty();
  }

  /**
   * The client's address as text ({@code 203.0.113.7}, {@code 2001:db8::1}): {@code peer} itself, or, when the peer
   * is a trusted proxy, the rightmost address of {@code forwardedFor} that is not a trusted proxy. Entries that
   * are not IP addresses end the walk (a proxy that appends garbage is not to be trusted further).
   */
  public String resolve(InetAddress peer, String forwardedFor) {
    if (peer == null) {
      return "unknown";
    }
    if (forwardedFor == null || forwardedFor.isBlank()) {
      return canonical(peer);
    }
    if (!isTrusted(peer)) {
      if ((peer.isLoopbackAddress() || peer.isSiteLocalAddress()) && warned.compareAndSet(false, true)) {
        // A proxy in front of the node that is not trusted makes every client look like one address, and the
        // per-address limits then fall on everyone at once.
        log.warn(
            "Requests from {} carry X-Forwarded-For, but {} is not a trusted proxy: every client behind it counts"
                + " as that one address. Set PARLEY_TRUSTED_PROXIES if it is your proxy.",
            canonical(peer),
            canonical(peer));
      }
      return canonical(peer);
    }
    String[] hops = forwardedFor.split(",");
    InetAddress client = peer;
    for (int i = hops.length - 1; i >= 0; i--) {
      Optional<InetAddress> hop = literal(hops[i].trim());
      if (hop.isEmpty()) {
        break;
      }
      client = hop.get();
      if (!isTrusted(client)) {
        break;
      }
    }
    return canonical(client);
  }

  /** The client's address of an HTTP request (its peer attribute and its X-Forwarded-For header). */
  public String of(org.apache.pekko.http.javadsl.model.HttpRequest request) {
    return resolve(
        request
            .getAttribute(org.apache.pekko.http.javadsl.model.AttributeKeys.remoteAddress)
            .flatMap(org.apache.pekko.http.javadsl.model.RemoteAddress::getAddress)
            .orElse(null),
        request.getHeader("X-Forwarded-For").map(h -> h.value()).orElse(null));
  }

  private boolean isTrusted(InetAddress address) {
    for (Network network : trusted) {
      if (network.contains(address)) {
        return true;
      }
    }
    return false;
  }

  /** One spelling per address, so that {@code ::1} and {@code 0:0:0:0:0:0:0:1} count as one client. */
  private static String canonical(InetAddress address) {
    return address.getHostAddress();
  }

  /**
   * An IP address literal (v4 dotted quad, or v6 with or without brackets), never a host name: {@link
   * InetAddress#getByName} would otherwise look names up in DNS.
   */
  static Optional<InetAddress> literal(String text) {
    String t = text.startsWith("[") && text.endsWith("]") ? text.substring(1, text.length() - 1) : text;
    if (t.isEmpty() || t.length() > 45) {
      return Optional.empty();
    }
    boolean v4 = t.matches("\\d{1,3}(\\.\\d{1,3}){3}");
    boolean v6 = t.indexOf(':') >= 0 && t.matches("[0-9A-Fa-f:.]+");
    if (!v4 && !v6) {
      return Optional.empty();
    }
    if (v4) {
      for (String part : t.split("\\.")) {
        if (new BigInteger(part).intValue() > 255) {
          return Optional.empty();
        }
      }
    }
    try {
      return Optional.of(InetAddress.getByName(t));
    } catch (UnknownHostException e) {
      return Optional.empty();
    }
  }
}
