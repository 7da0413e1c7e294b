package dev.parley.agent.core;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;

/**
 * The server address an agent types at sign-in, checked before a password is sent to it.
 *
 * <p>The client suggests {@code https://}, and an address typed without a scheme is taken as https. A plain
 * {@code http://} address is accepted only for this machine ({@code localhost}, {@code 127.x.x.x}, {@code ::1}),
 * where nothing crosses a network; anywhere else the password, the token and every chat would travel unencrypted,
 * so the agent must confirm it explicitly ({@link Unencrypted}), and the confirmation holds for that one address.
 */
public final class ServerAddress {

  /** What the address field holds before anything was ever typed. */
  public static final String SUGGESTED = "https://";

  private ServerAddress() {}

  /** The outcome of {@link #check}. */
  public sealed interface Check {}

  /** Fine as it is: https, or http to this machine. {@code base} is normalised (no trailing slash). */
  public record Ok(URI base) implements Check {}

  /** Plain http to another machine: only after the agent confirmed it for exactly this address. */
  public record Unencrypted(URI base) implements Check {}

  /** Not a server address (the login window says what one looks like). */
  public record Invalid() implements Check {}

  public static Check check(String typed) {
    String text = typed == null ? "" : typed.strip();
    if (text.isEmpty() || text.equalsIgnoreCase("https:") || text.equalsIgnoreCase("http:")) {
      return new Invalid();
    }
    if (!text.contains("://")) {
      text = SUGGESTED + text;
    }
    URI uri;
    try {
      uri = new URI(text);
    } catch (URISyntaxException e) {
      return new Invalid();
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (uri.getHost() == null
        || uri.getRawUserInfo() != null
        || uri.getRawQuery() != null
        || uri.getRawFragment() != null
        || !(scheme.equals("https") || scheme.equals("http"))) {
      return new Invalid();
    }
    String path = uri.getRawPath() == null ? "" : uri.getRawPath().replaceAll("/+$", "");
    URI base = URI.create(scheme + "://" + uri.getRawAuthority() + path);
    if (scheme.equals("https") || isThisMachine(uri.getHost())) {
      return new Ok(base);
    }
    return new Unencrypted(base);
  }

  /**
   * Whether signing in may go ahead: always for {@link Ok}; for {@link Unencrypted} only when {@code confirmed}
   * (the address the agent last confirmed, from the settings) is exactly this address.
   */
  public static boolean mayConnect(Check check, String confirmed) {
    return check instanceof Ok
        || (check instanceof Unencrypted u && confirmed != null && confirmed.equals(u.base().toString()));
  }

  /** The base URI of an address that may be used; throws for {@link Invalid}. */
  public static URI base(Check check) {
    if (check instanceof Ok ok) {
      return ok.base();
    }
    if (check instanceof Unencrypted u) {
      return u.base();
    }
    throw new IllegalArgumentException("not a server address");
  }

  /** Loopback only: a LAN address is another machine, and the LAN is a network. */
  static boolean isThisMachine(String host) {
    String h = host.toLowerCase(Locale.ROOT);
    if (h.startsWith("[") && h.endsWith("]")) {
      h = h.substring(1, h.length() - 1);
    }
    return h.equals("localhost")
        || h.equals("::1")
        || h.equals("0:0:0:0:0:0:0:1")
        || h.matches("127\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}");
  }
}
