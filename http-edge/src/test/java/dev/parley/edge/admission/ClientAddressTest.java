package dev.parley.edge.admission;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;

class ClientAddressTest {

  private static InetAddress ip(String s) throws Exception {
    return InetAddress.getByName(s);
  }

  @Test
  void withoutTrustedProxiesTheHeaderIsIgnored() throws Exception {
    ClientAddress none = ClientAddress.trusting("");
    assertThat(none.resolve(ip("203.0.113.7"), "198.51.100.1")).isEqualTo("203.0.113.7");
    assertThat(none.resolve(ip("127.0.0.1"), "198.51.100.1")).isEqualTo("127.0.0.1");
  }

  @Test
  void aTrustedProxyNamesTheClientRightmostFirst() throws Exception {
    ClientAddress proxies = ClientAddress.trusting("127.0.0.1, 10.0.0.0/8");
    assertThat(proxies.resolve(ip("127.0.0.1"), "198.51.100.1")).isEqualTo("198.51.100.1");
    // The client wrote its own X-Forwarded-For (spoofed 1.2.3.4); the proxies appended the real address.
    assertThat(proxies.resolve(ip("127.0.0.1"), "1.2.3.4, 198.51.100.1, 10.1.2.3")).isEqualTo("198.51.100.1");
    assertThat(proxies.resolve(ip("10.9.9.9"), "2001:db8::1")).isEqualTo("2001:db8:0:0:0:0:0:1");
  }

  @Test
  void anUntrustedPeerIsTheClientWhateverItsHeaderSays() throws Exception {
    ClientAddress proxies = ClientAddress.trusting("10.0.0.0/8");
    assertThat(proxies.resolve(ip("203.0.113.7"), "10.0.0.1")).isEqualTo("203.0.113.7");
  }

  @Test
  void garbageInTheChainStopsTheWalk() throws Exception {
    ClientAddress proxies = ClientAddress.trusting("127.0.0.1");
    assertThat(proxies.resolve(ip("127.0.0.1"), "evil.example, unknown")).isEqualTo("127.0.0.1");
    assertThat(proxies.resolve(ip("127.0.0.1"), "300.1.1.1")).isEqualTo("127.0.0.1");
    assertThat(proxies.resolve(ip("127.0.0.1"), "[2001:db8::2]")).isEqualTo("2001:db8:0:0:0:0:0:2");
  }

  @Test
  void cidrBlocksMatchByTheirPrefix() throws Exception {
    ClientAddress proxies = ClientAddress.trusting("192.168.4.0/22, fd00::/8");
    assertThat(proxies.resolve(ip("192.168.7.255"), "198.51.100.9")).isEqualTo("198.51.100.9");
    assertThat(proxies.resolve(ip("192.168.8.0"), "198.51.100.9")).isEqualTo("192.168.8.0");
    assertThat(proxies.resolve(ip("fd12::1"), "198.51.100.9")).isEqualTo("198.51.100.9");
  }

  @Test
  void aMistypedProxyIsNamedAtStart() {
    assertThatThrownBy(() -> ClientAddress.trusting("10.0.0.0/33")).hasMessageContaining("10.0.0.0/33");
    assertThatThrownBy(() -> ClientAddress.trusting("proxy.internal")).hasMessageContaining("proxy.internal");
  }
}
