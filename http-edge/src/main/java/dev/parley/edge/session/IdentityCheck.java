package dev.parley.edge.session;

import dev.parley.core.visitor.Identity;
import dev.parley.edge.auth.IdentitySignatures;
import dev.parley.edge.protocol.ClientFrame;
import dev.parley.persistence.directory.SiteWidget;
import java.time.Instant;
import java.util.Optional;

/**
 * Whether a visitor's {@code identify} is accepted, as a plain function of the frame, the site's widget settings
 * and the time: a signature that is present must be right (a wrong one is a forgery or a misconfiguration, on
 * every site) and not expired; a site that demands signatures refuses unsigned identities. docs/WIDGET.md,
 * "Signed identities".
 */
final class IdentityCheck {

  private IdentityCheck() {}

  /** Why the identity is refused, or empty when it is accepted. */
  static Optional<String> problem(ClientFrame.Identify identify, SiteWidget widget, Instant now) {
    if (identify.signature() != null) {
      String canonical =
          IdentitySignatures.canonical(
              identify.userId(), identify.name(), identify.email(), identify.expiresAt(), identify.attributes());
      if (!IdentitySignatures.verifyAll(widget.identitySecret(), canonical, identify.signature())) {
        return Optional.of("the identity's signature is wrong");
      }
      if (identify.expiresAt() != null && identify.expiresAt() < now.getEpochSecond()) {
        return Optional.of("the identity's signature expired");
      }
      return Optional.empty();
    }
    if (identify.hash() != null) {
      return IdentitySignatures.verify(widget.identitySecret(), identify.userId(), identify.hash())
          ? Optional.empty()
          : Optional.of("the identity's signature is wrong");
    }
    return widget.identityRequired()
        ? Optional.of("this site accepts only identities signed by its server")
        : Optional.empty();
  }

  /** The field a refusal names: the one that carried the (missing or wrong) signature. */
  static String field(ClientFrame.Identify identify) {
    return identify.signature() != null ? "signature" : "hash";
  }

  /** An accepted identity as the visitor entity stores it, with what its signature covered. */
  static Identity identity(ClientFrame.Identify identify) {
    boolean all = identify.signature() != null;
    boolean signed = all || identify.hash() != null;
    return new Identity(
        identify.userId(),
        identify.name(),
        identify.email(),
        identify.attributes(),
        signed,
        all ? Identity.ALL_FIELDS : signed ? Identity.ID_ONLY : null);
  }
}
