package dev.parley.edge.admin;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Which requests the audit trail records, and as what: a table. */
class AuditTrailTest {

  @ParameterizedTest
  @CsvSource(
      nullValues = "-",
      value = {
        "POST, /api/sites/shop/accounts, shop, accounts.create, -",
        "PATCH, /api/sites/shop/accounts/a1, shop, accounts.update, a1",
        "DELETE, /api/sites/shop/accounts/a1, shop, accounts.delete, a1",
        "POST, /api/sites/shop/accounts/a1/reset-password, shop, accounts.reset-password, a1/reset-password",
        "PUT, /api/sites/shop/routing, shop, routing.set, -",
        "PUT, /api/sites/shop/time-zone, shop, time-zone.set, -",
        "PATCH, /api/sites/shop, shop, site.update, -",
        "POST, /api/auth/password, -, auth.password, -",
        "POST, /api/auth/2fa/disable, -, auth.2fa.disable, -",
        "GET, /api/sites/shop/exports/messages.csv, shop, exports.download, messages.csv",
      })
  void recordsChangesAndExports(String method, String path, String site, String action, String target) {
    assertThat(AuditTrail.classify(method, path)).contains(new AuditTrail.Action(site, action, target));
  }

  @ParameterizedTest
  @CsvSource({
    "GET, /api/sites/shop/conversations",
    "GET, /api/sites/shop/exports/abc",
    "POST, /api/auth/login",
    "POST, /api/auth/login/2fa",
    "POST, /api/auth/renew",
    "POST, /api/sites",
    "DELETE, /api/sites/shop/visitors/v1",
    "PUT, /api/sites/shop/retention",
    "POST, /rt",
    "OPTIONS, /api/sites/shop/accounts",
  })
  void leavesReadsAndSelfRecordedRoutesAlone(String method, String path) {
    assertThat(AuditTrail.classify(method, path)).isEqualTo(Optional.empty());
  }
}
