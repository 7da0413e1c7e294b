package dev.parley.core.routing;

import dev.parley.core.serialization.CborSerializable;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Weekly opening hours in a time zone, with holidays. Pure value: everything is decided on local wall-clock time
 * of {@code zone}, so a daylight-saving change moves the instants but never the hours people set.
 *
 * <p>A span whose {@code closes} is not after {@code opens} runs past midnight into the next day (22:00–02:00);
 * {@code opens == closes} is refused as ambiguous. A holiday closes its whole local calendar day, including the
 * after-midnight part of a span that started the evening before.
 */
public record WorkingHours(ZoneId zone, List<Span> spans, Set<LocalDate> holidays)
    implements CborSerializable {

  public static final int MAX_SPANS = 70;
  public static final int MAX_HOLIDAYS = 400;

  public WorkingHours {
    spans = List.copyOf(spans);
    holidays = Set.copyOf(holidays);
  }

  /** One opening on a weekday, local time; {@code closes <= opens} means it ends on the next day. */
  public record Span(DayOfWeek day, LocalTime opens, LocalTime closes) implements CborSerializable {
    boolean crossesMidnight() {
      return !closes.isAfter(opens);
    }

    /** Minutes from Monday 00:00 at which the span starts, and its length in minutes. */
    int startMinute() {
      return (day.getValue() - 1) * 1440 + opens.getHour() * 60 + opens.getMinute();
    }

    int lengthMinutes() {
      int open = opens.getHour() * 60 + opens.getMinute();
      int close = closes.getHour() * 60 + closes.getMinute();
      return crossesMidnight() ? 1440 - open + close : close - open;
    }
  }

  public boolean isOpen(Instant instant) {
    ZonedDateTime local = instant.atZone(zone);
    LocalDate date = local.toLocalDate();
    if (holidays.contains(date)) {
      return false;
    }
    LocalTime time = local.toLocalTime();
    DayOfWeek today = local.getDayOfWeek();
    DayOfWeek yesterday = today.minus(1);
    for (Span s : spans) {
      if (s.day() == today) {
        if (s.crossesMidnight() ? !time.isBefore(s.opens()) : !time.isBefore(s.opens()) && time.isBefore(s.closes())) {
          return true;
        }
      }
      if (s.day() == yesterday && s.crossesMidnight() && time.isBefore(s.closes())) {
        return true;
      }
    }
    return false;
  }

  /** Problems with these hours, as human sentences; empty when valid. Overlaps are checked around the week. */
  public List<String> problems() {
    List<String> problems = new ArrayList<>();
    if (spans.size() > MAX_SPANS) {
      problems.add("at most " + MAX_SPANS + " spans");
    }
    if (holidays.size() > MAX_HOLIDAYS) {
      problems.add("at most " + MAX_HOLIDAYS + " holidays");
    }
    for (Span s : spans) {
      if (s.opens().equals(s.closes())) {
        problems.add(s.day() + " " + s.opens() + ": opens and closes at the same time");
      }
    }
    int week = 7 * 1440;
    for (int i = 0; i < spans.size(); i++) {
      for (int j = i + 1; j < spans.size(); j++) {
        Span a = spans.get(i);
        Span b = spans.get(j);
        int d = Math.floorMod(b.startMinute() - a.startMinute(), week);
        // b starts inside a, or a starts inside b (distance measured the other way round the week)
        if (d < a.lengthMinutes() || Math.floorMod(-d, week) < b.lengthMinutes()) {
          problems.add("spans overlap: " + a.day() + " " + a.opens() + " and " + b.day() + " " + b.opens());
        }
      }
    }
    return problems;
  }
}
