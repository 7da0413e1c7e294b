package dev.parley.core.access;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.core.common.Caller;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** The permission table of docs/SECURITY.md, row by row: O = owner, A = admin, S = supervisor, G = agent. */
class PermissionTest {

  @ParameterizedTest
  @CsvSource({
    "MANAGE_ACCOUNTS,           OA",
    "CONFIGURE_SITE,            OA",
    "MANAGE_SECURITY,           O",
    "READ_ALL_CONVERSATIONS,    OAS",
    "CLOSE_ANY_CONVERSATION,    OAS",
    "CLAIM_OUTSIDE_GROUPS,      OAS",
    "TRANSFER_ANY_CONVERSATION, OAS",
    "WRITE_NOTES,               OASG",
    "TAKE_OVER,                 OAS",
    "EXPORT,                    OA",
    "ERASE,                     OA",
  })
  void theTableAsDocumented(Permission permission, String roles) {
    assertThat(permission.allows(SiteRole.OWNER)).isEqualTo(roles.contains("O"));
    assertThat(permission.allows(SiteRole.ADMIN)).isEqualTo(roles.contains("A"));
    assertThat(permission.allows(SiteRole.SUPERVISOR)).isEqualTo(roles.contains("S"));
    assertThat(permission.allows(SiteRole.AGENT)).isEqualTo(roles.contains("G"));
    assertThat(permission.allows(null)).isFalse();
  }

  @ParameterizedTest
  @CsvSource({
    "OWNER, OWNER, true",
    "OWNER, AGENT, true",
    "ADMIN, OWNER, false",
    "ADMIN, ADMIN, true",
    "ADMIN, SUPERVISOR, true",
    "SUPERVISOR, AGENT, false",
    "AGENT, AGENT, false",
  })
  void accountManagersActOnTheirRankAndBelow(SiteRole actor, SiteRole target, boolean allowed) {
    assertThat(Permission.mayManage(actor, target)).isEqualTo(allowed);
  }

  @Test
  void aCallerHoldsItsRolePerSiteOnly() {
    Caller caller = Caller.agent("a1", Map.of("shop", SiteRole.SUPERVISOR, "other", SiteRole.AGENT));
    Caller domain = Caller.agent("a1", Set.of("shop"));

    assertThat(caller.siteIds()).containsExactlyInAnyOrder("shop", "other");
    assertThat(caller.may("shop", Permission.CLOSE_ANY_CONVERSATION)).isTrue();
    assertThat(caller.may("other", Permission.CLOSE_ANY_CONVERSATION)).isFalse();
    assertThat(caller.may("elsewhere", Permission.WRITE_NOTES)).isFalse();
    assertThat(domain.roleAt("shop")).isEmpty();
    assertThat(Caller.visitor("shop", "v").may("shop", Permission.WRITE_NOTES)).isFalse();
  }
}
