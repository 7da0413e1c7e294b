package dev.parley.edge.history;

import dev.parley.edge.ApiError;
import dev.parley.edge.admin.ApiContext;
import dev.parley.edge.admin.ApiRoutes;
import dev.parley.persistence.readmodel.ConversationReads;
import java.util.List;
import java.util.Map;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code GET /api/sites/{siteId}/search?q=…}: the site's messages containing every word of {@code q} (Chinese by
 * two-character grams, English by stems), best first, with highlighted snippets as text plus mark ranges.
 */
public final class SearchRoutes extends ApiRoutes {

  static final int DEFAULT_HITS = 20;

  private final ReadApi read;

  public SearchRoutes(ApiContext api, ReadApi read) {
    super(api);
    this.read = read;
  }

  record SearchResult(String query, List<ConversationReads.Hit> hits) {}

  @Override
  public Route routes() {
    return underSite(siteId -> path("search", () -> get(() -> parameterMap(p -> search(siteId, p)))));
  }

  private Route search(String siteId, Map<String, String> params) {
    String q = Filters.text(params, "q");
    if (q == null) {
      throw ApiError.invalid("q", "'q' is required: the words to search for");
    }
    var from = Filters.time(params, "from");
    var to = Filters.time(params, "to");
    int limit = Filters.limit(params, DEFAULT_HITS, ConversationReads.MAX_SEARCH_HITS);
    return authenticated(
        principal ->
            blocking(
                () -> {
                  var visibility = ReadAccess.visibility(principal, siteId);
                  return json(200, new SearchResult(q, read.reads().search(siteId, q, from, to, visibility, limit)));
                }));
  }
}
