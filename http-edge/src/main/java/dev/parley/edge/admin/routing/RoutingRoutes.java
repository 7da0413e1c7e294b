package dev.parley.edge.admin.routing;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.core.dispatcher.Dispatcher;
import dev.parley.core.routing.Policy;
import dev.parley.core.routing.SiteRouting;
import dev.parley.core.routing.WorkingHours;
import dev.parley.edge.ApiError;
import dev.parley.edge.admin.ApiContext;
import dev.parley.edge.admin.ApiRoutes;
import dev.parley.edge.admin.Principal;
import dev.parley.edge.admin.RequestBody;
import dev.parley.edge.protocol.ErrorCode;
import dev.parley.persistence.directory.Directory;
import dev.parley.persistence.routing.RoutingStore;
import java.time.DateTimeException;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code /api/sites/{siteId}/routing}: a site's routing configuration as one JSON document (groups, members,
 * capacities, policies, page-URL rules, working hours, holidays). Members of the site read it; its admins replace
 * it as a whole. Every problem is a typed 400 naming the field, and nothing is stored; other tenants' sites answer
 * 404. After a change the site's dispatcher is told to reload. Format: docs/ROUTING.md and /api/openapi.json.
 */
public final class RoutingRoutes extends ApiRoutes {

  public static final Pattern GROUP_ID = Pattern.compile("[a-z0-9][a-z0-9_-]{0,63}");
  public static final int MIN_OFFER_TIMEOUT_SECONDS = 5;
  public static final int MAX_OFFER_TIMEOUT_SECONDS = 3_600;
  public static final int MAX_OVERFLOW_AFTER_SECONDS = 86_400;
  public static final int MAX_URL_RULE_CHARS = 512;
  public static final int MIN_AUTO_CLOSE_SECONDS = 60;
  public static final int MAX_AUTO_CLOSE_SECONDS = 7 * 86_400;

  private final RoutingStore store;
  private final ClusterSharding sharding;

  public RoutingRoutes(ApiContext api, RoutingStore store, ClusterSharding sharding) {
    super(api);
    this.store = store;
    this.sharding = sharding;
  }

  // JSON views ------------------------------------------------------------------------------------------------

  record SpanDoc(String day, String opens, String closes) {}

  record GroupDoc(
      String id,
      String name,
      String policy,
      List<String> members,
      String overflowGroup,
      Integer overflowAfterSeconds,
      List<SpanDoc> hours,
      List<String> holidays) {}

  record RuleDoc(String contains, String group) {}

  record RoutingDoc(
      String siteId,
      boolean configured,
      String policy,
      int offerTimeoutSeconds,
      int defaultCapacity,
      Map<String, Integer> capacities,
      List<GroupDoc> groups,
      List<RuleDoc> urlRules,
      String timeZone,
      List<SpanDoc> hours,
      List<String> holidays,
      String welcomeMessage,
      Integer autoCloseAfterSeconds) {

    static RoutingDoc of(SiteRouting r, boolean configured) {
      WorkingHours h = r.hours();
      return new RoutingDoc(
          r.siteId(),
          configured,
          r.policy().code(),
          (int) r.offerTimeout().toSeconds(),
          r.defaultCapacity(),
          new java.util.TreeMap<>(r.capacities()),
          r.groups().stream()
              .map(
                  g ->
                      new GroupDoc(
                          g.id(),
                          g.name(),
                          g.policy() == null ? null : g.policy().code(),
                          g.members().stream().sorted().toList(),
                          g.overflowGroup(),
                          g.overflowAfter() == null ? null : (int) g.overflowAfter().toSeconds(),
                          g.hours() == null ? null : spans(g.hours()),
                          g.hours() == null ? null : days(g.hours())))
              .toList(),
          r.urlRules().stream().map(u -> new RuleDoc(u.contains(), u.groupId())).toList(),
          h == null ? null : h.zone().getId(),
          h == null ? null : spans(h),
          h == null ? null : days(h),
          r.welcomeMessage(),
          r.autoCloseAfter() == null ? null : (int) r.autoCloseAfter().toSeconds());
    }

    private static List<SpanDoc> spans(WorkingHours h) {
      return h.spans().stream()
          .map(s -> new SpanDoc(s.day().name().toLowerCase(Locale.ROOT), s.opens().toString(), s.closes().toString()))
          .toList();
    }

    private static List<String> days(WorkingHours h) {
      return h.holidays().stream().sorted().map(LocalDate::toString).toList();
    }
  }

  // Routes -----------------------------------------------------------------------------------------------------

  @Override
  public Route routes() {
    return underSite(
        siteId ->
            path("routing", () -> concat(get(() -> show(siteId)), put(() -> withBody(body -> replace(siteId, body))))));
  }

  private Route show(String siteId) {
    return authenticated(
        principal ->
            blocking(
                () -> {
                  if (!principal.isMemberOf(siteId)) {
                    throw ApiError.notFound("no site '" + siteId + "'");
                  }
                  return store
                      .find(siteId)
                      .map(r -> json(200, RoutingDoc.of(r, true)))
                      .orElseGet(() -> json(200, RoutingDoc.of(SiteRouting.unconfigured(siteId), false)));
                }));
  }

  private Route replace(String siteId, RequestBody body) {
    return authenticated(
        principal ->
            blocking(
                () -> {
                  requireAdmin(principal, siteId);
                  SiteRouting routing = parse(siteId, body.root(), siteAgents(api.directory(), siteId));
                  store.replace(routing, api.clock().instant());
                  sharding.entityRefFor(Dispatcher.ENTITY_KEY, siteId).tell(new Dispatcher.RefreshConfig());
                  return json(200, RoutingDoc.of(routing, true));
                }));
  }

  private static void requireAdmin(Principal principal, String siteId) {
    if (!principal.isMemberOf(siteId)) {
      throw ApiError.notFound("no site '" + siteId + "'");
    }
    if (!principal.may(siteId, dev.parley.core.access.Permission.CONFIGURE_SITE)) {
      throw ApiError.forbidden("only the site's owners and admins change its routing");
    }
  }

  private static Set<String> siteAgents(Directory directory, String siteId) {
    Set<String> ids = new HashSet<>();
    directory.members(siteId).forEach(m -> ids.add(m.account().id()));
    return ids;
  }

  // Parsing and validation -------------------------------------------------------------------------------------

  /** The document as a configuration, or the first problem as an {@link ApiError}. Pure apart from its inputs. */
  static SiteRouting parse(String siteId, JsonNode root, Set<String> siteAgents) {
    Policy policy = policy(root.get("policy"), "policy", false);
    int offerTimeout =
        intIn(root, "offerTimeoutSeconds", MIN_OFFER_TIMEOUT_SECONDS, MAX_OFFER_TIMEOUT_SECONDS,
            (int) SiteRouting.DEFAULT_OFFER_TIMEOUT.toSeconds());
    int defaultCapacity = intIn(root, "defaultCapacity", 0, SiteRouting.MAX_CAPACITY, 3);

    Map<String, Integer> capacities = new LinkedHashMap<>();
    JsonNode caps = root.get("capacities");
    if (caps != null && !caps.isNull()) {
      if (!caps.isObject()) {
        throw ApiError.invalid("capacities", "'capacities' must be an object of agent id to maximum chats");
      }
      var fields = caps.fields();
      while (fields.hasNext()) {
        var f = fields.next();
        String field = "capacities." + f.getKey();
        if (!siteAgents.contains(f.getKey())) {
          throw new ApiError(400, ErrorCode.UNKNOWN_AGENT, "'" + f.getKey() + "' is not an agent of this site", field);
        }
        JsonNode v = f.getValue();
        if (!v.isIntegralNumber() || v.asLong() < 0 || v.asLong() > SiteRouting.MAX_CAPACITY) {
          throw ApiError.invalid(field, "a capacity is a whole number from 0 to " + SiteRouting.MAX_CAPACITY);
        }
        capacities.put(f.getKey(), v.asInt());
      }
    }

    ZoneId zone = null;
    if (has(root, "timeZone")) {
      try {
        zone = ZoneId.of(text(root, "timeZone", 64));
      } catch (DateTimeException e) {
        throw ApiError.invalid("timeZone", "'timeZone' must be an IANA time zone such as Europe/Berlin");
      }
    }
    List<WorkingHours.Span> siteSpans = spans(root.get("hours"), "hours");
    Set<LocalDate> siteHolidays = holidays(root.get("holidays"), "holidays");
    WorkingHours siteHours = null;
    if (zone != null || !siteSpans.isEmpty() || !siteHolidays.isEmpty()) {
      if (zone == null) {
        throw ApiError.invalid("timeZone", "working hours need a 'timeZone'");
      }
      siteHours = hours(zone, siteSpans, siteHolidays, "hours");
    }

    JsonNode groupsNode = root.get("groups");
    List<JsonNode> groupNodes = array(groupsNode, "groups", SiteRouting.MAX_GROUPS);
    Set<String> groupIds = new LinkedHashSet<>();
    for (int i = 0; i < groupNodes.size(); i++) {
      String field = "groups[" + i + "].id";
      JsonNode g = groupNodes.get(i);
      if (!g.isObject()) {
        throw ApiError.invalid("groups[" + i + "]", "a group is an object");
      }
      String id = text(g, "id", 64, field);
      if (!GROUP_ID.matcher(id).matches()) {
        throw ApiError.invalid(field, "a group id has lower-case letters, digits, '-' and '_'");
      }
      if (!groupIds.add(id)) {
        throw ApiError.conflict(field, "two groups have the id '" + id + "'");
      }
    }
    List<SiteRouting.Group> groups = new ArrayList<>();
    for (int i = 0; i < groupNodes.size(); i++) {
      JsonNode g = groupNodes.get(i);
      String prefix = "groups[" + i + "].";
      String id = g.get("id").asText();
      String name = has(g, "name") ? text(g, "name", 200, prefix + "name") : id;
      Policy groupPolicy = policy(g.get("policy"), prefix + "policy", true);
      Set<String> members = new LinkedHashSet<>();
      List<JsonNode> memberNodes = array(g.get("members"), prefix + "members", SiteRouting.MAX_MEMBERS_PER_GROUP);
      for (int m = 0; m < memberNodes.size(); m++) {
        JsonNode member = memberNodes.get(m);
        if (!member.isTextual() || !siteAgents.contains(member.asText())) {
          throw new ApiError(
              400, ErrorCode.UNKNOWN_AGENT, "members must be agents of this site", prefix + "members[" + m + "]");
        }
        members.add(member.asText());
      }
      String overflow = has(g, "overflowGroup") ? text(g, "overflowGroup", 64, prefix + "overflowGroup") : null;
      Duration overflowAfter = null;
      if (overflow != null) {
        if (!groupIds.contains(overflow)) {
          throw new ApiError(400, ErrorCode.UNKNOWN_GROUP, "no group '" + overflow + "'", prefix + "overflowGroup");
        }
        if (overflow.equals(id)) {
          throw ApiError.invalid(prefix + "overflowGroup", "a group cannot overflow to itself");
        }
        if (!has(g, "overflowAfterSeconds")) {
          throw ApiError.invalid(prefix + "overflowAfterSeconds", "an overflow needs 'overflowAfterSeconds'");
        }
        overflowAfter = Duration.ofSeconds(intIn(g, "overflowAfterSeconds", 0, MAX_OVERFLOW_AFTER_SECONDS, 0, prefix));
      }
      WorkingHours groupHours = null;
      List<WorkingHours.Span> groupSpans = spans(g.get("hours"), prefix + "hours");
      Set<LocalDate> groupHolidays = holidays(g.get("holidays"), prefix + "holidays");
      if (!groupSpans.isEmpty() || !groupHolidays.isEmpty()) {
        if (siteHours == null) {
          throw ApiError.invalid("timeZone", "group hours need the site's 'timeZone'");
        }
        if (groupSpans.isEmpty()) {
          throw ApiError.invalid(prefix + "hours", "a group with holidays needs its opening hours");
        }
        Set<LocalDate> all = new LinkedHashSet<>(siteHours.holidays());
        all.addAll(groupHolidays);
        groupHours = hours(siteHours.zone(), groupSpans, all, prefix + "hours");
      }
      groups.add(new SiteRouting.Group(id, name, groupPolicy, members, overflow, overflowAfter, groupHours));
    }

    List<SiteRouting.UrlRule> rules = new ArrayList<>();
    List<JsonNode> ruleNodes = array(root.get("urlRules"), "urlRules", SiteRouting.MAX_URL_RULES);
    for (int i = 0; i < ruleNodes.size(); i++) {
      JsonNode r = ruleNodes.get(i);
      String prefix = "urlRules[" + i + "].";
      if (!r.isObject()) {
        throw ApiError.invalid("urlRules[" + i + "]", "a rule is an object with 'contains' and 'group'");
      }
      String contains = text(r, "contains", MAX_URL_RULE_CHARS, prefix + "contains");
      if (contains.isEmpty()) {
        throw ApiError.invalid(prefix + "contains", "'contains' must not be empty");
      }
      String group = text(r, "group", 64, prefix + "group");
      if (!groupIds.contains(group)) {
        throw new ApiError(400, ErrorCode.UNKNOWN_GROUP, "no group '" + group + "'", prefix + "group");
      }
      rules.add(new SiteRouting.UrlRule(contains, group));
    }
    String welcome = null;
    if (has(root, "welcomeMessage")) {
      welcome = text(root, "welcomeMessage", SiteRouting.MAX_WELCOME_MESSAGE_CHARS);
      welcome = welcome.isEmpty() ? null : welcome;
    }
    Duration autoClose =
        has(root, "autoCloseAfterSeconds")
            ? Duration.ofSeconds(intIn(root, "autoCloseAfterSeconds", MIN_AUTO_CLOSE_SECONDS, MAX_AUTO_CLOSE_SECONDS, 0))
            : null;
    return new SiteRouting(
        siteId, policy, Duration.ofSeconds(offerTimeout), defaultCapacity, capacities, groups, rules, siteHours,
        welcome, autoClose);
  }

  private static WorkingHours hours(ZoneId zone, List<WorkingHours.Span> spans, Set<LocalDate> holidays, String field) {
    WorkingHours hours = new WorkingHours(zone, spans, holidays);
    List<String> problems = hours.problems();
    if (!problems.isEmpty()) {
      ErrorCode code =
          problems.get(0).startsWith("spans overlap") ? ErrorCode.OVERLAPPING_HOURS : ErrorCode.INVALID_REQUEST;
      throw new ApiError(400, code, problems.get(0), field);
    }
    return hours;
  }

  private static List<WorkingHours.Span> spans(JsonNode node, String field) {
    List<WorkingHours.Span> spans = new ArrayList<>();
    List<JsonNode> items = array(node, field, WorkingHours.MAX_SPANS);
    for (int i = 0; i < items.size(); i++) {
      JsonNode s = items.get(i);
      String f = field + "[" + i + "]";
      if (!s.isObject()) {
        throw ApiError.invalid(f, "a span is an object with 'day', 'opens' and 'closes'");
      }
      DayOfWeek day;
      try {
        day = DayOfWeek.valueOf(text(s, "day", 16, f + ".day").toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw ApiError.invalid(f + ".day", "'day' is a weekday name such as monday");
      }
      spans.add(new WorkingHours.Span(day, time(s, "opens", f), time(s, "closes", f)));
    }
    return spans;
  }

  private static LocalTime time(JsonNode node, String name, String prefix) {
    String value = text(node, name, 5, prefix + "." + name);
    try {
      LocalTime t = LocalTime.parse(value);
      if (value.length() != 5) {
        throw new DateTimeParseException("HH:MM only", value, 0);
      }
      return t;
    } catch (DateTimeParseException e) {
      throw ApiError.invalid(prefix + "." + name, "times are HH:MM, 00:00 to 23:59");
    }
  }

  private static Set<LocalDate> holidays(JsonNode node, String field) {
    Set<LocalDate> days = new LinkedHashSet<>();
    List<JsonNode> items = array(node, field, WorkingHours.MAX_HOLIDAYS);
    for (int i = 0; i < items.size(); i++) {
      JsonNode d = items.get(i);
      try {
        if (!d.isTextual()) {
          throw new DateTimeParseException("not text", "", 0);
        }
        days.add(LocalDate.parse(d.asText()));
      } catch (DateTimeParseException e) {
        throw ApiError.invalid(field + "[" + i + "]", "holidays are dates such as 2026-12-25");
      }
    }
    return days;
  }

  private static Policy policy(JsonNode node, String field, boolean optional) {
    if (node == null || node.isNull()) {
      if (optional) {
        return null;
      }
      throw ApiError.invalid(field, "'" + field + "' is required: manual, least-busy or round-robin");
    }
    try {
      return Policy.ofCode(node.asText());
    } catch (IllegalArgumentException e) {
      throw ApiError.invalid(field, "'" + field + "' must be manual, least-busy or round-robin");
    }
  }

  private static List<JsonNode> array(JsonNode node, String field, int max) {
    if (node == null || node.isNull()) {
      return List.of();
    }
    if (!node.isArray()) {
      throw ApiError.invalid(field, "'" + field + "' must be an array");
    }
    if (node.size() > max) {
      throw ApiError.invalid(field, "'" + field + "' has more than " + max + " items");
    }
    List<JsonNode> items = new ArrayList<>();
    node.forEach(items::add);
    return items;
  }

  private static boolean has(JsonNode node, String field) {
    return node.get(field) != null && !node.get(field).isNull();
  }

  private static String text(JsonNode node, String field, int max) {
    return text(node, field, max, field);
  }

  private static String text(JsonNode node, String name, int max, String field) {
    JsonNode v = node.get(name);
    if (v == null || v.isNull()) {
      throw ApiError.invalid(field, "'" + field + "' is required");
    }
    if (!v.isTextual() || v.asText().length() > max) {
      throw ApiError.invalid(field, "'" + field + "' must be a string of at most " + max + " characters");
    }
    return v.asText().strip();
  }

  private static int intIn(JsonNode node, String field, int min, int max, int absent) {
    return intIn(node, field, min, max, absent, "");
  }

  private static int intIn(JsonNode node, String name, int min, int max, int absent, String prefix) {
    JsonNode v = node.get(name);
    if (v == null || v.isNull()) {
      return absent;
    }
    if (!v.isIntegralNumber() || v.asLong() < min || v.asLong() > max) {
      throw ApiError.invalid(prefix + name, "'" + prefix + name + "' must be a whole number from " + min + " to " + max);
    }
    return v.asInt();
  }
}
