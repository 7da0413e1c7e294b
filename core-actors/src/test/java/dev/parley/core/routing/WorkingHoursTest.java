package dev.parley.core.routing;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class WorkingHoursTest {

  private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");

  private static WorkingHours.Span span(DayOfWeek day, String opens, String closes) {
    return new WorkingHours.Span(day, LocalTime.parse(opens), LocalTime.parse(closes));
  }

  @Test
  void aSpanPastMidnightIsOpenUntilItClosesOnTheNextDay() {
    // Friday 22:00 to Saturday 02:00, Berlin time (CET, UTC+1, in November).
    WorkingHours hours = new WorkingHours(BERLIN, List.of(span(DayOfWeek.FRIDAY, "22:00", "02:00")), Set.of());

    assertThat(hours.isOpen(Instant.parse("2026-11-27T20:59:00Z"))).isFalse(); // Fri 21:59
    assertThat(hours.isOpen(Instant.parse("2026-11-27T21:00:00Z"))).isTrue(); // Fri 22:00
    assertThat(hours.isOpen(Instant.parse("2026-11-27T23:30:00Z"))).isTrue(); // Sat 00:30
    assertThat(hours.isOpen(Instant.parse("2026-11-28T00:59:00Z"))).isTrue(); // Sat 01:59
    assertThat(hours.isOpen(Instant.parse("2026-11-28T01:00:00Z"))).isFalse(); // Sat 02:00
  }

  @Test
  void hoursFollowLocalTimeAcrossADaylightSavingChange() {
    // Sundays 09:00-17:00 Berlin. 2026-03-29 is the spring change (CET+1 -> CEST+2).
    WorkingHours hours = new WorkingHours(BERLIN, List.of(span(DayOfWeek.SUNDAY, "09:00", "17:00")), Set.of());

    assertThat(hours.isOpen(Instant.parse("2026-03-22T07:30:00Z"))).isFalse(); // 08:30 CET the week before
    assertThat(hours.isOpen(Instant.parse("2026-03-22T08:00:00Z"))).isTrue(); // 09:00 CET
    assertThat(hours.isOpen(Instant.parse("2026-03-29T07:00:00Z"))).isTrue(); // 09:00 CEST: an hour earlier in UTC
    assertThat(hours.isOpen(Instant.parse("2026-03-29T06:59:00Z"))).isFalse(); // 08:59 CEST
    assertThat(hours.isOpen(Instant.parse("2026-03-29T15:00:00Z"))).isFalse(); // 17:00 CEST
  }

  @Test
  void aHolidayClosesItsWholeLocalDayIncludingTheEndOfLastNightsSpan() {
    WorkingHours hours =
        new WorkingHours(
            BERLIN,
            List.of(span(DayOfWeek.THURSDAY, "20:00", "02:00"), span(DayOfWeek.FRIDAY, "09:00", "17:00")),
            Set.of(LocalDate.parse("2026-12-25")));

    assertThat(hours.isOpen(Instant.parse("2026-12-24T22:00:00Z"))).isTrue(); // Thu 23:00, not a holiday
    assertThat(hours.isOpen(Instant.parse("2026-12-24T23:30:00Z"))).isFalse(); // Fri 00:30, the holiday
    assertThat(hours.isOpen(Instant.parse("2026-12-25T10:00:00Z"))).isFalse(); // Fri 11:00, the holiday
    assertThat(hours.isOpen(Instant.parse("2027-01-01T10:00:00Z"))).isTrue(); // next Friday 11:00
  }

  @Test
  void overlappingSpansAreReportedIncludingAroundTheEndOfTheWeek() {
    assertThat(
            new WorkingHours(
                    BERLIN,
                    List.of(span(DayOfWeek.MONDAY, "09:00", "12:00"), span(DayOfWeek.MONDAY, "11:00", "14:00")),
                    Set.of())
                .problems())
        .hasSize(1);
    assertThat(
            new WorkingHours(
                    BERLIN,
                    List.of(span(DayOfWeek.SUNDAY, "22:00", "03:00"), span(DayOfWeek.MONDAY, "02:00", "05:00")),
                    Set.of())
                .problems())
        .hasSize(1);
    assertThat(
            new WorkingHours(
                    BERLIN,
                    List.of(span(DayOfWeek.MONDAY, "09:00", "12:00"), span(DayOfWeek.MONDAY, "12:00", "14:00")),
                    Set.of())
                .problems())
        .isEmpty();
  }
}
