package dev.parley.agent.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** The rules for the address typed at sign-in, as a table. */
class ServerAddressTest {

  @ParameterizedTest(name = "{0} -> {1} {2}")
  @CsvSource({
    // typed,                          outcome,      base
    "https://chat.example.com,         ok,           https://chat.example.com",
    "https://chat.example.com/,        ok,           https://chat.example.com",
    "HTTPS://Chat.Example.com:8443,    ok,           https://Chat.Example.com:8443",
    "chat.example.com,                 ok,           https://chat.example.com",
    "chat.example.com:8443,            ok,           https://chat.example.com:8443",
    "'  https://chat.example.com//  ', ok,           https://chat.example.com",
    "http://localhost:8080,            ok,           http://localhost:8080",
    "http://127.0.0.1:8080,            ok,           http://127.0.0.1:8080",
    "http://127.0.0.2:8080,            ok,           http://127.0.0.2:8080",
    "http://[::1]:8080,                ok,           http://[::1]:8080",
    "http://chat.example.com,          unencrypted,  http://chat.example.com",
    "http://192.168.1.20:8080,         unencrypted,  http://192.168.1.20:8080",
    "http://localhost.example.com,     unencrypted,  http://localhost.example.com",
    "http://127.0.0.1.example.com,     unencrypted,  http://127.0.0.1.example.com",
    "https://,                         invalid,      ''",
    "'',                               invalid,      ''",
    "ftp://chat.example.com,           invalid,      ''",
    "https://user:pw@chat.example.com, invalid,      ''",
    "https://chat.example.com/?x=1,    invalid,      ''",
    "https://exa mple.com,             invalid,      ''",
  })
  void addressesAreJudgedByTheirScheme(String typed, String outcome, String base) {
    ServerAddress.Check check = ServerAddress.check(typed);
    switch (outcome) {
      case "ok" -> {
        assertThat(check).isInstanceOf(ServerAddress.Ok.class);
        assertThat(ServerAddress.base(check)).isEqualTo(URI.create(base));
      }
      case "unencrypted" -> {
        assertThat(check).isInstanceOf(ServerAddress.Unencrypted.class);
        assertThat(ServerAddress.base(check)).isEqualTo(URI.create(base));
      }
      default -> assertThat(check).isInstanceOf(ServerAddress.Invalid.class);
    }
  }

  @Test
  void theSuggestedAddressIsHttpsAndNotYetAnAddress() {
    assertThat(ServerAddress.SUGGESTED).isEqualTo("https://");
    assertThat(ServerAddress.check(ServerAddress.SUGGESTED)).isInstanceOf(ServerAddress.Invalid.class);
  }

  @Test
  void plainHttpToAnotherMachineNeedsAConfirmationForExactlyThatAddress() {
    ServerAddress.Check lan = ServerAddress.check("http://192.168.1.20:8080");
    assertThat(ServerAddress.mayConnect(lan, null)).isFalse();
    assertThat(ServerAddress.mayConnect(lan, "http://192.168.1.21:8080")).isFalse();
    assertThat(ServerAddress.mayConnect(lan, "http://192.168.1.20:8080")).isTrue();
    assertThat(ServerAddress.mayConnect(ServerAddress.check("https://chat.example.com"), null)).isTrue();
    assertThat(ServerAddress.mayConnect(ServerAddress.check("http://localhost:8080"), null)).isTrue();
    assertThat(ServerAddress.mayConnect(ServerAddress.check("nonsense://"), "nonsense://")).isFalse();
  }
}
