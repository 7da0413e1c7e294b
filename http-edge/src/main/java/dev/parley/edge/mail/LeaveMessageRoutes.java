package dev.parley.edge.mail;

import dev.parley.edge.ApiError;
import dev.parley.edge.ErrorMapping;
import dev.parley.edge.SiteCache;
import dev.parley.edge.admin.RequestBody;
import dev.parley.edge.protocol.ErrorCode;
import dev.parley.edge.protocol.Json;
import dev.parley.persistence.directory.Site;
import java.util.UUID;
import java.util.regex.Pattern;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.javadsl.unmarshalling.Unmarshaller;

/**
 * {@code POST /widget/message?site=SITE_ID}: a visitor outside working hours, or with nobody online, leaves a
 * message and a contact address, and the site's team hears of it by e-mail (issue 14). The widget sends the same
 * text as a chat message too, so agents also find it waiting in the queue; this only tells the team. Public like
 * {@code /widget/config}; the mail goes only to the site's team address ({@code site.team_email}) or, where the site
 * has none, the operator's configured one, never to the visitor's.
 */
public final class LeaveMessageRoutes extends AllDirectives {

  public static final int MAX_BODY_BYTES = 16 * 1024;
  public static final int MAX_TEXT_CHARS = 4000;
  public static final int MAX_NAME_CHARS = 200;
  public static final int MAX_EMAIL_CHARS = 254;
  public static final int MAX_PAGE_CHARS = 2000;
  /** Deliberately loose: one @, no spaces or angle brackets (the address is only shown and replied to). */
  private static final Pattern EMAIL = Pattern.compile("[^\\s@<>,;\"]+@[^\\s@<>,;\"]+\\.[^\\s@<>,;\"]+");

  /** Mails one site's form may send per hour (a spammer can fill the team's mailbox only this fast). */
  public static final int MAX_MAILS_PER_SITE_PER_HOUR = 30;
  /** Sites whose hourly counts are kept; the least recently used leave first. */
  public static final int MAX_COUNTED_SITES = 10_000;

  private final SiteCache sites;
  private final Mailer mailer;
  /** The site's own team address, read on the blocking executor; empty: the operator's. */
  private final java.util.function.Function<String, java.util.concurrent.CompletionStage<java.util.Optional<String>>>
      siteTeam;
  private final com.github.benmanes.caffeine.cache.Cache<String, java.util.concurrent.atomic.AtomicInteger> hourly =
      com.github.benmanes.caffeine.cache.Caffeine.newBuilder()
          .maximumSize(MAX_COUNTED_SITES)
          .expireAfterWrite(java.time.Duration.ofHours(1))
          .build();

  /**
   * @param siteTeam the site's own team address (empty: none set), read off the request's thread
   */
  public LeaveMessageRoutes(
      SiteCache sites,
      Mailer mailer,
      java.util.function.Function<String, java.util.concurrent.CompletionStage<java.util.Optional<String>>> siteTeam) {
    this.sites = sites;
    this.mailer = mailer;
    this.siteTeam = siteTeam;
  }

  public Route routes() {
    return path(
        org.apache.pekko.http.javadsl.server.PathMatchers.segment("widget").slash("message"),
        () ->
            post(
                () ->
                    parameter(
                        "site",
                        siteId ->
                            withSizeLimit(
                                MAX_BODY_BYTES,
                                () -> entity(Unmarshaller.entityToString(), text -> leave(siteId, text))))));
  }

  private Route leave(String siteId, String text) {
    LeftMessage left;
    try {
      left = parse(RequestBody.parse(text));
    } catch (ApiError e) {
      return complete(ErrorMapping.response(e));
    }
    return onSuccess(
        sites.get(siteId),
        site -> {
          if (site.isEmpty()) {
            return complete(ErrorMapping.response(404, ErrorCode.UNKNOWN_SITE, "no site with that id", "site"));
          }
          if (!mailer.enabled()) {
            return complete(accepted(false)); // nobody to mail: the chat message waits in the queue
          }
          if (hourly.get(siteId, id -> new java.util.concurrent.atomic.AtomicInteger()).incrementAndGet()
              > MAX_MAILS_PER_SITE_PER_HOUR) {
            return complete(
                ErrorMapping.response(
                    ApiError.rateLimited("this site's messages were mailed often enough this hour", 3600)));
          }
          // Asked only below the hourly cap, so the public form cannot make the database read more often.
          return onSuccess(
              siteTeam.apply(siteId),
              own -> {
                String to = own.orElse(mailer.settings().teamTo());
                if (to.isEmpty()) {
                  return complete(accepted(false));
                }
                if (!mailer.offer(mail(site.get(), left, to))) {
                  return complete(
                      ErrorMapping.response(503, ErrorCode.OVERLOADED, "too many mails are waiting", null)
                          .addHeader(
                              org.apache.pekko.http.javadsl.model.headers.RawHeader.create("Retry-After", "60")));
                }
                return complete(accepted(true));
              });
        });
  }

  /** What the visitor left, validated; every problem is a typed 400 naming the field. */
  record LeftMessage(String email, String name, String text, String page) {}

  static LeftMessage parse(RequestBody body) {
    String email = body.requiredString("email", 3, MAX_EMAIL_CHARS);
    checkEmail(email, "email");
    return new LeftMessage(
        email,
        body.optionalString("name", 1, MAX_NAME_CHARS),
        body.requiredFreeText("text", 1, MAX_TEXT_CHARS),
        body.optionalString("page", 1, MAX_PAGE_CHARS));
  }

  /** A 400 naming {@code field} unless {@code email} looks like an address. */
  public static void checkEmail(String email, String field) {
    if (!EMAIL.matcher(email).matches()) {
      throw ApiError.invalid(field, "'" + field + "' is not an e-mail address");
    }
  }

  private Mailer.Mail mail(Site site, LeftMessage m, String to) {
    String who = m.name() != null ? m.name() + " <" + m.email() + ">" : m.email();
    String body =
        "A visitor of " + site.name() + " (" + site.id() + ") left a message while nobody could chat.\n"
            + "访客在无人在线时给 " + site.name() + " 留言。\n\n"
            + "From / 来自: " + who + "\n"
            + (m.page() != null ? "Page / 页面: " + m.page() + "\n" : "")
            + "\n" + m.text() + "\n\n"
            + "Reply to this mail to answer the visitor; the message also waits in Parley's queue.\n"
            + "直接回复本邮件即可答复访客；该留言也在 Parley 的排队列表中。\n";
    return new Mailer.Mail(
        "left-" + UUID.randomUUID(),
        to,
        m.email(),
        "[" + site.name() + "] Message from " + who,
        body);
  }

  private static HttpResponse accepted(boolean mailed) {
    var node = Json.MAPPER.createObjectNode().put("accepted", true).put("mailed", mailed);
    return HttpResponse.create()
        .withStatus(202)
        .withEntity(HttpEntities.create(ContentTypes.APPLICATION_JSON, node.toString()));
  }
}
