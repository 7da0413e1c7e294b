package dev.parley.core.visitor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class InvitationRulesTest {

  private static final Instant NOW = Instant.parse("2026-12-01T10:00:00Z");

  private static InvitationRule rule(String id, int position, int seconds, String url, int visits, String referrer,
      int capHours) {
    return new InvitationRule(id, position, true, seconds, url, visits, referrer, "Tea shop", "Need help?", capHours)
        .checked();
  }

  private static InvitationRules.Facts facts(String url, int secondsOnPage, int visits, String referrer,
      boolean busy, Instant lastAutomatic) {
    return new InvitationRules.Facts(url, NOW.minusSeconds(secondsOnPage), visits, referrer, busy, lastAutomatic, NOW);
  }

  @ParameterizedTest(name = "{0} ~ {1} -> {2}")
  @CsvSource({
    "*/pricing*, https://shop.example/pricing?plan=pro, true",
    "*/PRICING*, https://shop.example/pricing, true",
    "*/pricing, https://shop.example/pricing/team, false",
    "https://shop.example/*, https://shop.example/, true",
    "https://shop.example/*, http://shop.example/, false",
    "*google.*, https://www.google.com/search?q=tea, true",
    "*a*b*c, xxaxxbxxc, true",
    "*a*b*c, xxaxxcxxb, false",
    "a.b, aXb, false",
    "**, '', true",
  })
  void globsMatchTheWholeAddressCaseInsensitively(String glob, String value, boolean matches) {
    assertThat(InvitationRule.globMatches(glob, value)).isEqualTo(matches);
  }

  @Test
  void noPatternMatchesAnythingEvenNoReferrer() {
    assertThat(InvitationRule.globMatches(null, null)).isTrue();
    assertThat(InvitationRule.globMatches("*", null)).isFalse();
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({
    // what,                             url,                            seconds, visits, referrer,                 busy,  invited
    "all conditions met,                 https://shop.example/pricing,   30,      2,      https://www.google.com/,  false, true",
    "not long enough on the page,        https://shop.example/pricing,   29,      2,      https://www.google.com/,  false, false",
    "another page,                       https://shop.example/cart,      60,      2,      https://www.google.com/,  false, false",
    "first visit,                        https://shop.example/pricing,   60,      1,      https://www.google.com/,  false, false",
    "came from elsewhere,                https://shop.example/pricing,   60,      2,      https://www.bing.com/,    false, false",
    "came directly,                      https://shop.example/pricing,   60,      2,      ,                         false, false",
    "already chatting or invited,        https://shop.example/pricing,   60,      2,      https://www.google.com/,  true,  false",
  })
  void aRuleInvitesOnlyWhenEveryConditionHolds(String what, String url, int seconds, int visits, String referrer,
      boolean busy, boolean invited) {
    InvitationRule r = rule("pricing", 1, 30, "*/pricing*", 2, "*google.*", 24);
    assertThat(InvitationRules.due(List.of(r), facts(url, seconds, visits, referrer, busy, null)))
        .as(what)
        .isEqualTo(invited ? java.util.Optional.of(r) : java.util.Optional.empty());
  }

  @Test
  void theCapKeepsAVisitorFromBeingInvitedAgainWithinItsHours() {
    InvitationRule r = rule("any", 1, 0, null, 1, null, 6);
    var page = "https://shop.example/";
    assertThat(InvitationRules.due(List.of(r), facts(page, 5, 1, null, false, NOW.minusSeconds(6 * 3600 - 1))))
        .isEmpty();
    assertThat(InvitationRules.due(List.of(r), facts(page, 5, 1, null, false, NOW.minusSeconds(6 * 3600))))
        .contains(r);
  }

  @Test
  void theFirstRuleByPositionWinsAndDisabledRulesNeverInvite() {
    InvitationRule late = rule("late", 2, 0, null, 1, null, 24);
    InvitationRule early = rule("early", 1, 0, null, 1, null, 24);
    InvitationRule off = new InvitationRule("off", 0, false, 0, null, 1, null, "Shop", "Hi", 24).checked();
    assertThat(InvitationRules.due(List.of(late, off, early), facts("https://x/", 1, 1, null, false, null)))
        .contains(early);
    assertThat(InvitationRules.due(List.of(off), facts("https://x/", 1, 1, null, false, null))).isEmpty();
  }

  @Test
  void noPageYetInvitesNobody() {
    InvitationRule r = rule("any", 1, 0, null, 1, null, 24);
    assertThat(InvitationRules.due(List.of(r), new InvitationRules.Facts(null, null, 1, null, false, null, NOW)))
        .isEmpty();
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({
    "id,               Bad Id,  0,    1,    Shop, Hi,  24",
    "minSecondsOnPage, r,       -1,   1,    Shop, Hi,  24",
    "minSecondsOnPage, r,       3601, 1,    Shop, Hi,  24",
    "minVisits,        r,       0,    0,    Shop, Hi,  24",
    "senderName,       r,       0,    1,    ' ',  Hi,  24",
    "text,             r,       0,    1,    Shop, '',  24",
    "capHours,         r,       0,    1,    Shop, Hi,  0",
    "capHours,         r,       0,    1,    Shop, Hi,  721",
  })
  void aRuleOutOfBoundsNamesItsField(String field, String id, int seconds, int visits, String sender, String text,
      int cap) {
    assertThatThrownBy(() -> new InvitationRule(id, 0, true, seconds, null, visits, null, sender, text, cap).checked())
        .isInstanceOfSatisfying(InvitationRule.Invalid.class, e -> assertThat(e.field()).isEqualTo(field));
  }
}
