package dev.parley.edge.session;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.core.visitor.Identity;
import dev.parley.edge.auth.IdentitySignatures;
import dev.parley.edge.protocol.ClientFrame;
import dev.parley.persistence.directory.SiteWidget;
import java.time.Instant;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class IdentityCheckTest {

  private static final String SECRET = "0123456789abcdef0123456789abcdef";
  private static final Instant NOW = Instant.parse("2026-12-01T10:00:00Z");
  private static final long LATER = NOW.getEpochSecond() + 60;
  private static final long EARLIER = NOW.getEpochSecond() - 60;

  static Stream<Arguments> cases() {
    String hash = IdentitySignatures.sign(SECRET, "u-1");
    return Stream.of(
        // name, site demands signatures, identity, expected problem (null: accepted)
        Arguments.of("unsigned where not demanded", false, unsigned(), null),
        Arguments.of(
            "unsigned where demanded", true, unsigned(), "this site accepts only identities signed by its server"),
        Arguments.of("right hash", true, hashed(hash), null),
        Arguments.of("right hash in capitals", true, hashed(hash.toUpperCase()), null),
        Arguments.of("wrong hash where not demanded", false, hashed("0".repeat(64)), "the identity's signature is wrong"),
        Arguments.of("right signature", true, signed(null, null), null),
        Arguments.of("right signature, not expired", true, signed(LATER, null), null),
        Arguments.of("right signature, expired", true, signed(EARLIER, null), "the identity's signature expired"),
        Arguments.of("signature over other fields", false, signed(null, "Mallory"), "the identity's signature is wrong"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void acceptsOrSaysWhy(String name, boolean required, ClientFrame.Identify identify, String problem) {
    SiteWidget widget = new SiteWidget("s-1", "{}", required, SECRET);
    assertThat(IdentityCheck.problem(identify, widget, NOW).orElse(null)).isEqualTo(problem);
  }

  @Test
  void aSiteWithoutSecretRefusesEverySignature() {
    SiteWidget widget = new SiteWidget("s-1", "{}", false, null);
    assertThat(IdentityCheck.problem(hashed(IdentitySignatures.sign(SECRET, "u-1")), widget, NOW)).isPresent();
  }

  @Test
  void theStoredIdentitySaysWhatItsSignatureCovered() {
    assertThat(IdentityCheck.identity(unsigned()).verifiedFields()).isNull();
    assertThat(IdentityCheck.identity(unsigned()).verified()).isFalse();
    assertThat(IdentityCheck.identity(hashed("00")).verifiedFields()).isEqualTo(Identity.ID_ONLY);
    assertThat(IdentityCheck.identity(signed(null, null)).verifiedFields()).isEqualTo(Identity.ALL_FIELDS);
  }

  @Test
  void aRefusalNamesTheFieldThatCarriedTheSignature() {
    assertThat(IdentityCheck.field(hashed("00"))).isEqualTo("hash");
    assertThat(IdentityCheck.field(unsigned())).isEqualTo("hash");
    assertThat(IdentityCheck.field(signed(null, null))).isEqualTo("signature");
  }

  private static ClientFrame.Identify unsigned() {
    return new ClientFrame.Identify("i-1", "u-1", "Ann", "ann@example.com", Map.of("plan", "gold"), null, null, null);
  }

  private static ClientFrame.Identify hashed(String hash) {
    return new ClientFrame.Identify("i-1", "u-1", "Ann", "ann@example.com", Map.of("plan", "gold"), hash, null, null);
  }

  /** Signed over the true fields; {@code name} then replaces the name after signing (null: unchanged). */
  private static ClientFrame.Identify signed(Long expiresAt, String name) {
    Map<String, String> attributes = Map.of("plan", "gold");
    String signature =
        IdentitySignatures.sign(
            SECRET, IdentitySignatures.canonical("u-1", "Ann", "ann@example.com", expiresAt, attributes));
    return new ClientFrame.Identify(
        "i-1", "u-1", name == null ? "Ann" : name, "ann@example.com", attributes, null, expiresAt, signature);
  }
}
