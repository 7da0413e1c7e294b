package dev.parley.edge.history;

import dev.parley.edge.ApiError;
import dev.parley.edge.ErrorMapping;
import dev.parley.edge.admin.ApiContext;
import dev.parley.edge.admin.ApiRoutes;
import dev.parley.edge.protocol.ErrorCode;
import dev.parley.persistence.readmodel.ConversationFilter;
import dev.parley.persistence.readmodel.ExportCursor;
import dev.parley.persistence.readmodel.ExportJobs;
import dev.parley.persistence.readmodel.Visibility;
import java.nio.charset.StandardCharsets;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.NotUsed;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.stream.ActorAttributes;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * CSV exports of a site's conversations and of their messages, for its admins, streamed from a database cursor.
 *
 * <p>{@code GET /api/sites/{siteId}/exports/conversations.csv} and {@code …/messages.csv} take the conversation
 * list's filters. The response is chunked (no Content-Length): rows leave as PostgreSQL hands them over, a fetch
 * at a time, so memory stays bounded whatever the size. Progress: {@code X-Total-Rows} says how many rows follow
 * (counted in the same snapshot), and {@code X-Export-Id} names a job that {@code GET …/exports/{id}} reports on
 * from any node (rows written, state). At most {@code max-concurrent-exports} run at once on a node; beyond, 503.
 */
public final class ExportRoutes extends ApiRoutes {

  private static final Logger log = LoggerFactory.getLogger(ExportRoutes.class);
  /** Rows per streamed chunk. */
  static final int ROWS_PER_CHUNK = 200;
  /** Excel opens UTF-8 CSV (Chinese text) correctly only with a byte-order mark. */
  private static final ByteString BOM = ByteString.fromArray(new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF});
  private static final DateTimeFormatter FILE_STAMP =
      DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC);
  private static final String BLOCKING_DISPATCHER = "parley-blocking-dispatcher";

  private final ReadApi read;

  public ExportRoutes(ApiContext api, ReadApi read) {
    super(api);
    this.read = read;
  }

  @Override
  public Route routes() {
    return underSite(
        siteId ->
            pathPrefix(
                "exports",
                () ->
                    concat(
                        path("conversations.csv", () -> get(() -> parameterMap(p -> export(siteId, ExportCursor.Kind.CONVERSATIONS, p)))),
                        path("messages.csv", () -> get(() -> parameterMap(p -> export(siteId, ExportCursor.Kind.MESSAGES, p)))),
                        path(PathMatchers.segment(), id -> get(() -> job(siteId, id))))));
  }

  private Route job(String siteId, String exportId) {
    return authenticated(
        principal ->
            blocking(
                () -> {
                  ReadAccess.export(principal, siteId);
                  ExportJobs.Job job =
                      read.exports().get(siteId, exportId).orElseThrow(() -> ApiError.notFound("no such export"));
                  return json(200, job);
                }));
  }

  private Route export(String siteId, ExportCursor.Kind kind, Map<String, String> params) {
    ConversationFilter filter = Filters.conversations(params);
    return authenticated(
        principal ->
            blocking(
                () -> {
                  Visibility visibility = ReadAccess.export(principal, siteId);
                  if (!read.exportPermits().tryAcquire()) {
                    return ErrorMapping.response(503, ErrorCode.OVERLOADED, "too many exports at once; retry shortly", null)
                        .addHeader(RawHeader.create("Retry-After", "10"));
                  }
                  try {
                    return stream(siteId, kind, filter, visibility, principal.account().id());
                  } catch (RuntimeException e) {
                    read.exportPermits().release();
                    throw e;
                  }
                }));
  }

  /** Opens the cursor and the job, and answers with a stream that closes both (and frees the permit) at its end. */
  private HttpResponse stream(
      String siteId, ExportCursor.Kind kind, ConversationFilter filter, Visibility visibility, String accountId) {
    ExportCursor cursor =
        ExportCursor.open(read.queryPool(), read.reads(), kind, siteId, filter, visibility);
    String exportId = UUID.randomUUID().toString();
    try {
      read.exports().start(exportId, siteId, accountId, kind.code(), cursor.total(), api.clock().instant());
    } catch (RuntimeException e) {
      cursor.close();
      throw e;
    }
    log.info("Export {} of site {} ({}, {} rows) started by {}", exportId, siteId, kind.code(), cursor.total(), accountId);
    AtomicLong rows = new AtomicLong();
    AtomicBoolean finished = new AtomicBoolean();
    ByteString header = BOM.concat(ByteString.fromString(Csv.line(cursor.header()), StandardCharsets.UTF_8));
    Source<ByteString, NotUsed> body =
        Source.unfoldResource(
                () -> cursor,
                c -> {
                  StringBuilder chunk = new StringBuilder(8 * 1024);
                  int n = 0;
                  List<String> row;
                  while (n < ROWS_PER_CHUNK && (row = c.next()) != null) {
                    chunk.append(Csv.line(row));
                    n++;
                  }
                  if (n == 0) {
                    finished.set(true);
                    return Optional.empty();
                  }
                  long before = rows.get();
                  long after = rows.addAndGet(n);
                  if (after / ExportJobs.PROGRESS_EVERY_ROWS != before / ExportJobs.PROGRESS_EVERY_ROWS) {
                    read.exports().progress(exportId, after);
                  }
                  return Optional.of(ByteString.fromString(chunk.toString(), StandardCharsets.UTF_8));
                },
                c -> {
                  try {
                    c.close();
                    String state = finished.get() ? "done" : "failed";
                    read.exports().finish(exportId, rows.get(), state, api.clock().instant());
                    log.info("Export {} of site {} {} after {} rows", exportId, siteId, state, rows.get());
                  } finally {
                    read.exportPermits().release();
                  }
                })
            .prepend(Source.single(header))
            .withAttributes(ActorAttributes.dispatcher(BLOCKING_DISPATCHER));
    String file = "parley-" + siteId + "-" + kind.code() + "-" + FILE_STAMP.format(api.clock().instant()) + ".csv";
    return HttpResponse.create()
        .withEntity(HttpEntities.createChunked(ContentTypes.create(
            org.apache.pekko.http.javadsl.model.MediaTypes.TEXT_CSV, org.apache.pekko.http.javadsl.model.HttpCharsets.UTF_8), body))
        .addHeader(RawHeader.create("Content-Disposition", "attachment; filename=\"" + file + "\""))
        .addHeader(RawHeader.create("X-Total-Rows", Long.toString(cursor.total())))
        .addHeader(RawHeader.create("X-Export-Id", exportId))
        .addHeader(RawHeader.create("Cache-Control", "no-store"));
  }
}
