package dev.parley.edge.history;

import dev.parley.edge.ApiError;
import dev.parley.edge.admin.ApiContext;
import dev.parley.edge.admin.ApiRoutes;
import dev.parley.persistence.readmodel.ConversationReads;
import dev.parley.persistence.readmodel.ConversationReads.ConversationRow;
import dev.parley.persistence.readmodel.Visibility;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code /api/sites/{siteId}/conversations}: a site's conversation history from the read side. The list filters
 * and pages by keyset ({@code cursor}); one conversation's transcript comes as JSON, plain text or a printable
 * HTML page. Admins read every conversation, agents those they took part in ({@link ReadAccess}).
 */
public final class ConversationRoutes extends ApiRoutes {

  static final int DEFAULT_PAGE = 50;

  private final ReadApi read;

  public ConversationRoutes(ApiContext api, ReadApi read) {
    super(api);
    this.read = read;
  }

  record ConversationPage(List<ConversationRow> items, String nextCursor) {}

  record Transcript(ConversationRow conversation, List<ConversationReads.Entry> entries) {}

  @Override
  public Route routes() {
    return underSite(
        siteId ->
            pathPrefix(
                "conversations",
                () ->
                    concat(
                        pathEnd(() -> get(() -> parameterMap(p -> list(siteId, p)))),
                        pathPrefix(
                            PathMatchers.segment(),
                            id ->
                                concat(
                                    pathEnd(() -> get(() -> one(siteId, id))),
                                    path("transcript", () -> get(() -> transcript(siteId, id, "json"))),
                                    path("transcript.txt", () -> get(() -> transcript(siteId, id, "txt"))),
                                    path("transcript.html", () -> get(() -> transcript(siteId, id, "html"))))))));
  }

  private Route list(String siteId, Map<String, String> params) {
    var filter = Filters.conversations(params);
    int limit = Filters.limit(params, DEFAULT_PAGE, ConversationReads.MAX_PAGE);
    String cursor = Filters.text(params, "cursor");
    return authenticated(
        principal ->
            blocking(
                () -> {
                  Visibility visibility = ReadAccess.visibility(principal, siteId);
                  try {
                    ConversationReads.Page page = read.reads().list(siteId, filter, visibility, cursor, limit);
                    return json(200, new ConversationPage(page.items(), page.nextCursor()));
                  } catch (ConversationReads.InvalidCursor e) {
                    throw ApiError.invalid("cursor", e.getMessage());
                  }
                }));
  }

  private Route one(String siteId, String id) {
    return authenticated(
        principal ->
            blocking(
                () -> json(200, conversation(siteId, id, ReadAccess.visibility(principal, siteId)))));
  }

  private ConversationRow conversation(String siteId, String id, Visibility visibility) {
    return read.reads()
        .conversation(siteId, id, visibility)
        .orElseThrow(() -> ApiError.notFound("no such conversation"));
  }

  private Route transcript(String siteId, String id, String format) {
    return authenticated(
        principal ->
            blocking(
                () -> {
                  ConversationRow row = conversation(siteId, id, ReadAccess.visibility(principal, siteId));
                  List<ConversationReads.Entry> entries = read.reads().transcript(siteId, id);
                  return switch (format) {
                    case "txt" -> HttpResponse.create()
                        .withEntity(HttpEntities.create(ContentTypes.TEXT_PLAIN_UTF8, Transcripts.text(row, entries)))
                        .addHeader(RawHeader.create("Content-Disposition", "inline; filename=\"transcript-" + safe(id) + ".txt\""));
                    case "html" -> HttpResponse.create()
                        .withEntity(HttpEntities.create(ContentTypes.TEXT_HTML_UTF8, Transcripts.html(row, entries)))
                        // The page shows visitor text; nothing in it may run or load from elsewhere.
                        .addHeader(RawHeader.create(
                            "Content-Security-Policy",
                            "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'self'; base-uri 'none'; form-action 'none'"));
                    default -> json(200, new Transcript(row, entries));
                  };
                }));
  }

  /** A conversation id fit for a file name (ids are UUIDs; anything else is reduced to safe characters). */
  static String safe(String s) {
    String cleaned = s.replaceAll("[^A-Za-z0-9_-]", "_");
    return cleaned.length() > 64 ? cleaned.substring(0, 64) : cleaned;
  }

  static String stamp(Instant at) {
    return at == null ? "" : at.toString();
  }
}
