package dev.parley.edge.history;

import dev.parley.edge.ApiError;
import dev.parley.edge.admin.ApiContext;
import dev.parley.edge.admin.ApiRoutes;
import dev.parley.persistence.readmodel.ConversationReads;
import java.util.Map;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code GET /api/sites/{siteId}/ratings}: the visitors' ratings with their comments, newest first, filtered by
 * score, agent, group, label, time and whether a comment was left, keyset-paginated. Admins and supervisors read
 * every rating, agents those of conversations they took part in ({@link ReadAccess}).
 */
public final class RatingRoutes extends ApiRoutes {

  static final int DEFAULT_PAGE = 50;

  private final ReadApi read;

  public RatingRoutes(ApiContext api, ReadApi read) {
    super(api);
    this.read = read;
  }

  @Override
  public Route routes() {
    return underSite(siteId -> path("ratings", () -> get(() -> parameterMap(p -> list(siteId, p)))));
  }

  private Route list(String siteId, Map<String, String> p) {
    Integer score = Filters.rating(p, "score");
    Integer min = score != null ? score : Filters.rating(p, "minScore");
    Integer max = score != null ? score : Filters.rating(p, "maxScore");
    String commented = Filters.text(p, "commented");
    if (commented != null && !commented.equals("true") && !commented.equals("false")) {
      throw ApiError.invalid("commented", "'commented' is true or false");
    }
    var filter = new ConversationReads.RatingFilter(
        min, max, Filters.text(p, "agent"), Filters.text(p, "group"), Filters.label(p), Filters.time(p, "from"),
        Filters.time(p, "to"), commented == null ? null : Boolean.valueOf(commented));
    int limit = Filters.limit(p, DEFAULT_PAGE, ConversationReads.MAX_PAGE);
    String cursor = Filters.text(p, "cursor");
    return authenticated(
        principal ->
            blocking(
                () -> {
                  var visibility = ReadAccess.visibility(principal, siteId);
                  try {
                    return json(200, read.reads().ratings(siteId, filter, visibility, cursor, limit));
                  } catch (ConversationReads.InvalidCursor e) {
                    throw ApiError.invalid("cursor", e.getMessage());
                  }
                }));
  }
}
