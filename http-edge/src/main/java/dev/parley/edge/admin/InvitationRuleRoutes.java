package dev.parley.edge.admin;

import dev.parley.core.access.Permission;
import dev.parley.core.visitor.InvitationRule;
import dev.parley.edge.ApiError;
import dev.parley.edge.visitors.VisitorsNow;
import dev.parley.persistence.visitors.InvitationRuleStore;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code /api/sites/{siteId}/invitation-rules}: a site's automatic invitation rules as one list (docs/WIDGET.md,
 * "Automatic invitations"). Members of the site read it; owners and admins replace it as a whole; every problem is
 * a typed 400 naming the field and nothing is stored. After a change this node's Visitors-now registry reads the
 * rules again at once (other nodes within {@link VisitorsNow#RULES_REFRESH}).
 */
public final class InvitationRuleRoutes extends ApiRoutes {

  private final InvitationRuleStore store;
  private final ActorRef<VisitorsNow.Command> registry;

  public InvitationRuleRoutes(ApiContext api, InvitationRuleStore store, ActorRef<VisitorsNow.Command> registry) {
    super(api);
    this.store = store;
    this.registry = registry;
  }

  record RuleDoc(
      String id,
      boolean enabled,
      int minSecondsOnPage,
      String urlPattern,
      int minVisits,
      String referrerPattern,
      String senderName,
      String text,
      int capHours) {

    static RuleDoc of(InvitationRule r) {
      return new RuleDoc(r.id(), r.enabled(), r.minSecondsOnPage(), r.urlPattern(), r.minVisits(),
          r.referrerPattern(), r.senderName(), r.text(), r.capHours());
    }
  }

  record RulesDoc(String siteId, List<RuleDoc> rules) {}

  @Override
  public Route routes() {
    return underSite(
        siteId ->
            path(
                "invitation-rules",
                () -> concat(get(() -> show(siteId)), put(() -> withBody(body -> replace(siteId, body))))));
  }

  private Route show(String siteId) {
    return authenticated(
        principal ->
            blocking(
                () -> {
                  if (!principal.isMemberOf(siteId)) {
                    throw ApiError.notFound("no site '" + siteId + "'");
                  }
                  return json(200, doc(siteId, store.list(siteId)));
                }));
  }

  private Route replace(String siteId, RequestBody body) {
    return authenticated(
        principal ->
            blocking(
                () -> {
                  if (!principal.isMemberOf(siteId)) {
                    throw ApiError.notFound("no site '" + siteId + "'");
                  }
                  if (!principal.may(siteId, Permission.CONFIGURE_SITE)) {
                    throw ApiError.forbidden("only the site's owners and admins change its invitation rules");
                  }
                  List<InvitationRule> rules = parse(body);
                  store.replace(siteId, rules);
                  registry.tell(new VisitorsNow.RulesChanged(siteId));
                  return json(200, doc(siteId, rules));
                }));
  }

  private static RulesDoc doc(String siteId, List<InvitationRule> rules) {
    return new RulesDoc(siteId, rules.stream().map(RuleDoc::of).toList());
  }

  /** The body's rules, checked, positions from their order; or the first problem, naming its field. */
  static List<InvitationRule> parse(RequestBody body) {
    if (!body.has("rules")) {
      throw ApiError.invalid("rules", "'rules' is required (an empty list removes every rule)");
    }
    List<RequestBody> items = body.objectList("rules", InvitationRule.MAX_RULES_PER_SITE);
    List<InvitationRule> rules = new ArrayList<>();
    Set<String> ids = new HashSet<>();
    for (int i = 0; i < items.size(); i++) {
      RequestBody item = items.get(i);
      Boolean enabled = item.optionalBoolean("enabled");
      InvitationRule rule =
          new InvitationRule(
              item.requiredString("id", 1, 64),
              i,
              enabled == null || enabled,
              item.optionalInt("minSecondsOnPage", 0),
              item.optionalString("urlPattern", 0, InvitationRule.MAX_PATTERN_CHARS),
              item.optionalInt("minVisits", 1),
              item.optionalString("referrerPattern", 0, InvitationRule.MAX_PATTERN_CHARS),
              item.requiredString("senderName", 1, InvitationRule.MAX_SENDER_CHARS),
              item.requiredFreeText("text", 1, InvitationRule.MAX_TEXT_CHARS),
              item.optionalInt("capHours", 24));
      try {
        rule = rule.checked();
      } catch (InvitationRule.Invalid e) {
        throw ApiError.invalid(item.fieldName(e.field()), "'" + item.fieldName(e.field()) + "': " + e.getMessage());
      }
      if (!ids.add(rule.id())) {
        throw ApiError.invalid(item.fieldName("id"), "two rules have the id '" + rule.id() + "'");
      }
      rules.add(rule);
    }
    return rules;
  }
}
