package dev.parley.persistence.routing;

import dev.parley.core.routing.Policy;
import dev.parley.core.routing.RoutingConfig;
import dev.parley.core.routing.SiteRouting;
import dev.parley.core.routing.WorkingHours;
import java.sql.Connection;
import java.sql.Date;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import javax.sql.DataSource;

/**
 * The routing configuration of sites in the relational tables of {@code V3__routing.sql}: what the admin API
 * writes and every site's dispatcher reads (through {@link RoutingConfig}, on the blocking executor).
 *
 * <p>A site's configuration is written as a whole in one transaction, so a dispatcher never reads half an edit.
 * Validation is the caller's job (the admin API); the table constraints are a backstop.
 */
public final class RoutingStore implements RoutingConfig {

  /** Group id under which a site's own hours and holidays are stored. */
  private static final String SITE_LEVEL = "";

  private final DataSource dataSource;
  private final Executor blocking;

  public RoutingStore(DataSource dataSource, Executor blocking) {
    this.dataSource = dataSource;
    this.blocking = blocking;
  }

  @Override
  public CompletionStage<SiteRouting> load(String siteId) {
    return CompletableFuture.supplyAsync(
        () -> find(siteId).orElseGet(() -> SiteRouting.unconfigured(siteId)).withAgents(accountsOf(siteId)),
        blocking);
  }

  /** Every enabled account that works for the site, in any role: the possible targets of a transfer. Blocking. */
  public java.util.Set<String> accountsOf(String siteId) {
    java.util.Set<String> accounts = new java.util.HashSet<>();
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "SELECT m.account_id FROM membership m JOIN account a ON a.id = m.account_id"
                    + " WHERE m.site_id = ? AND a.disabled_at IS NULL")) {
      ps.setString(1, siteId);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          accounts.add(rs.getString(1));
        }
      }
    } catch (SQLException e) {
      throw new IllegalStateException("reading the accounts of " + siteId + " failed", e);
    }
    return accounts;
  }

  /** The site's configuration, or empty when it was never configured. Blocking. */
  public Optional<SiteRouting> find(String siteId) {
    try (Connection c = dataSource.getConnection()) {
      c.setReadOnly(true);
      c.setAutoCommit(false);
      try {
        return read(c, siteId);
      } finally {
        c.rollback();
        c.setReadOnly(false);
        c.setAutoCommit(true);
      }
    } catch (SQLException e) {
      throw new IllegalStateException("reading the routing of " + siteId + " failed", e);
    }
  }

  private Optional<SiteRouting> read(Connection c, String siteId) throws SQLException {
    Policy policy;
    Duration offerTimeout;
    int defaultCapacity;
    String zone;
    String welcome;
    Duration autoClose;
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT policy, offer_timeout_seconds, default_capacity, time_zone, welcome_message,"
                + " auto_close_after_seconds FROM routing_settings WHERE site_id = ?")) {
      ps.setString(1, siteId);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          return Optional.empty();
        }
        policy = Policy.ofCode(rs.getString(1));
        offerTimeout = Duration.ofSeconds(rs.getInt(2));
        defaultCapacity = rs.getInt(3);
        zone = rs.getString(4);
        welcome = rs.getString(5);
        int autoCloseSeconds = rs.getInt(6);
        autoClose = rs.wasNull() ? null : Duration.ofSeconds(autoCloseSeconds);
      }
    }
    ZoneId zoneId = zone == null ? ZoneId.of("UTC") : ZoneId.of(zone);

    Map<String, List<WorkingHours.Span>> spans = new HashMap<>();
    eachRow(
        c,
        "SELECT group_id, day_of_week, opens_minute, closes_minute FROM routing_hours WHERE site_id = ?"
            + " ORDER BY group_id, day_of_week, opens_minute",
        siteId,
        rs ->
            spans
                .computeIfAbsent(rs.getString(1), k -> new ArrayList<>())
                .add(
                    new WorkingHours.Span(
                        DayOfWeek.of(rs.getInt(2)),
                        LocalTime.ofSecondOfDay(rs.getInt(3) * 60L),
                        LocalTime.ofSecondOfDay(rs.getInt(4) * 60L))));
    Map<String, Set<LocalDate>> holidays = new HashMap<>();
    eachRow(
        c,
        "SELECT group_id, holiday_date FROM routing_holiday WHERE site_id = ?",
        siteId,
        rs -> holidays.computeIfAbsent(rs.getString(1), k -> new LinkedHashSet<>()).add(rs.getDate(2).toLocalDate()));
    Set<LocalDate> siteHolidays = holidays.getOrDefault(SITE_LEVEL, Set.of());

    Map<String, Set<String>> members = new HashMap<>();
    eachRow(
        c,
        "SELECT group_id, account_id FROM routing_group_member WHERE site_id = ?",
        siteId,
        rs -> members.computeIfAbsent(rs.getString(1), k -> new LinkedHashSet<>()).add(rs.getString(2)));
    List<SiteRouting.Group> groups = new ArrayList<>();
    eachRow(
        c,
        "SELECT id, name, policy, overflow_group, overflow_after_seconds FROM routing_group WHERE site_id = ?"
            + " ORDER BY id",
        siteId,
        rs -> {
          String id = rs.getString(1);
          String groupPolicy = rs.getString(3);
          int overflowAfter = rs.getInt(5);
          boolean hasOverflowAfter = !rs.wasNull();
          WorkingHours hours = null;
          if (spans.containsKey(id) || holidays.containsKey(id)) {
            Set<LocalDate> days = new LinkedHashSet<>(siteHolidays);
            days.addAll(holidays.getOrDefault(id, Set.of()));
            hours = new WorkingHours(zoneId, spans.getOrDefault(id, List.of()), days);
          }
          groups.add(
              new SiteRouting.Group(
                  id,
                  rs.getString(2),
                  groupPolicy == null ? null : Policy.ofCode(groupPolicy),
                  members.getOrDefault(id, Set.of()),
                  rs.getString(4),
                  hasOverflowAfter ? Duration.ofSeconds(overflowAfter) : null,
                  hours));
        });
    Map<String, Integer> capacities = new LinkedHashMap<>();
    eachRow(
        c,
        "SELECT account_id, max_chats FROM routing_capacity WHERE site_id = ?",
        siteId,
        rs -> capacities.put(rs.getString(1), rs.getInt(2)));
    List<SiteRouting.UrlRule> rules = new ArrayList<>();
    eachRow(
        c,
        "SELECT url_contains, group_id FROM routing_url_rule WHERE site_id = ? ORDER BY rule_order",
        siteId,
        rs -> rules.add(new SiteRouting.UrlRule(rs.getString(1), rs.getString(2))));
    WorkingHours siteHours =
        zone == null ? null : new WorkingHours(zoneId, spans.getOrDefault(SITE_LEVEL, List.of()), siteHolidays);
    return Optional.of(
        new SiteRouting(
            siteId, policy, offerTimeout, defaultCapacity, capacities, groups, rules, siteHours, welcome, autoClose));
  }

  /** Replaces the site's whole configuration in one transaction. Blocking. */
  public void replace(SiteRouting routing, Instant at) {
    String site = routing.siteId();
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      try {
        for (String table :
            List.of(
                "routing_url_rule", "routing_capacity", "routing_group_member", "routing_group", "routing_hours",
                "routing_holiday", "routing_settings")) {
          execute(c, "DELETE FROM " + table + " WHERE site_id = ?", site);
        }
        WorkingHours hours = routing.hours();
        execute(
            c,
            "INSERT INTO routing_settings (site_id, policy, offer_timeout_seconds, default_capacity, time_zone,"
                + " welcome_message, auto_close_after_seconds, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            site,
            routing.policy().code(),
            (int) routing.offerTimeout().toSeconds(),
            routing.defaultCapacity(),
            hours == null ? null : hours.zone().getId(),
            routing.welcomeMessage(),
            routing.autoCloseAfter() == null ? null : (int) routing.autoCloseAfter().toSeconds(),
            Timestamp.from(at));
        if (hours != null) {
          writeHours(c, site, SITE_LEVEL, hours, Set.of());
        }
        for (SiteRouting.Group g : routing.groups()) {
          execute(
              c,
              "INSERT INTO routing_group (site_id, id, name, policy, overflow_group, overflow_after_seconds)"
                  + " VALUES (?, ?, ?, ?, ?, ?)",
              site,
              g.id(),
              g.name(),
              g.policy() == null ? null : g.policy().code(),
              g.overflowGroup(),
              g.overflowAfter() == null ? null : (int) g.overflowAfter().toSeconds());
          for (String member : g.members()) {
            execute(
                c,
                "INSERT INTO routing_group_member (site_id, group_id, account_id) VALUES (?, ?, ?)",
                site,
                g.id(),
                member);
          }
          if (g.hours() != null) {
            writeHours(c, site, g.id(), g.hours(), hours == null ? Set.of() : hours.holidays());
          }
        }
        for (Map.Entry<String, Integer> e : routing.capacities().entrySet()) {
          execute(
              c,
              "INSERT INTO routing_capacity (site_id, account_id, max_chats) VALUES (?, ?, ?)",
              site,
              e.getKey(),
              e.getValue());
        }
        int order = 0;
        for (SiteRouting.UrlRule rule : routing.urlRules()) {
          execute(
              c,
              "INSERT INTO routing_url_rule (site_id, rule_order, url_contains, group_id) VALUES (?, ?, ?, ?)",
              site,
              order++,
              rule.contains(),
              rule.groupId());
        }
        c.commit();
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      } finally {
        c.setAutoCommit(true);
      }
    } catch (SQLException e) {
      throw new IllegalStateException("writing the routing of " + site + " failed", e);
    }
  }

  /** {@code inherited}: the site's holidays, which a group's hours include but which are stored once. */
  private static void writeHours(
      Connection c, String site, String group, WorkingHours hours, Set<LocalDate> inherited)
      throws SQLException {
    for (WorkingHours.Span s : hours.spans()) {
      execute(
          c,
          "INSERT INTO routing_hours (site_id, group_id, day_of_week, opens_minute, closes_minute)"
              + " VALUES (?, ?, ?, ?, ?)",
          site,
          group,
          s.day().getValue(),
          s.opens().getHour() * 60 + s.opens().getMinute(),
          s.closes().getHour() * 60 + s.closes().getMinute());
    }
    for (LocalDate day : hours.holidays()) {
      if (!inherited.contains(day)) {
        execute(
            c,
            "INSERT INTO routing_holiday (site_id, group_id, holiday_date) VALUES (?, ?, ?)",
            site,
            group,
            Date.valueOf(day));
      }
    }
  }

  @FunctionalInterface
  private interface Row {
    void read(ResultSet rs) throws SQLException;
  }

  /** Runs a query whose one parameter is the site id and hands every row to {@code row}. */
  private static void eachRow(Connection c, String sql, String siteId, Row row) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setString(1, siteId);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          row.read(rs);
        }
      }
    }
  }

  private static void execute(Connection c, String sql, Object... args) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      for (int i = 0; i < args.length; i++) {
        ps.setObject(i + 1, args[i]);
      }
      ps.executeUpdate();
    }
  }
}
