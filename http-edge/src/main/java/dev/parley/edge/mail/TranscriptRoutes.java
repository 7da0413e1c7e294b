package dev.parley.edge.mail;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.parley.core.common.Caller;
import dev.parley.core.common.Participant;
import dev.parley.core.conversation.Conversation;
import dev.parley.core.conversation.ConversationHistory;
import dev.parley.core.conversation.Entry;
import dev.parley.edge.ApiError;
import dev.parley.edge.ErrorMapping;
import dev.parley.edge.SiteCache;
import dev.parley.edge.admin.RequestBody;
import dev.parley.edge.auth.Tokens;
import dev.parley.edge.protocol.ErrorCode;
import dev.parley.edge.protocol.Json;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.javadsl.unmarshalling.Unmarshaller;
import org.apache.pekko.pattern.StatusReply;

/**
 * {@code POST /widget/transcript?site=SITE_ID}: the visitor of a chat that has ended asks for its transcript by
 * e-mail (issue 14). Only the conversation's own visitor (their visitor token) may ask, only once it is closed, and
 * at most {@link #MAX_TRANSCRIPTS_PER_CONVERSATION} times a day per node, so that the form cannot be used to send
 * mail to strangers in bulk. The text is read from the journal like any resync (erased words stay erased).
 */
public final class TranscriptRoutes extends AllDirectives {

  public static final int MAX_BODY_BYTES = 4 * 1024;
  public static final int MAX_TRANSCRIPTS_PER_CONVERSATION = 3;
  /** Conversations whose transcript counts are remembered; the least recently used leave first. */
  public static final int MAX_COUNTED_CONVERSATIONS = 10_000;
  /** Entries put into one transcript at most (the conversation's own limits keep real chats far below). */
  public static final int MAX_TRANSCRIPT_ENTRIES = 5_000;
  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'").withZone(ZoneOffset.UTC);

  private final SiteCache sites;
  private final Tokens tokens;
  private final ClusterSharding sharding;
  private final ConversationHistory history;
  private final Mailer mailer;
  private final Duration askTimeout;
  private final Cache<String, AtomicInteger> sent =
      Caffeine.newBuilder().maximumSize(MAX_COUNTED_CONVERSATIONS).expireAfterWrite(Duration.ofDays(1)).build();

  public TranscriptRoutes(
      SiteCache sites,
      Tokens tokens,
      ClusterSharding sharding,
      ConversationHistory history,
      Mailer mailer,
      Duration askTimeout) {
    this.sites = sites;
    this.tokens = tokens;
    this.sharding = sharding;
    this.history = history;
    this.mailer = mailer;
    this.askTimeout = askTimeout;
  }

  public Route routes() {
    return path(
        PathMatchers.segment("widget").slash("transcript"),
        () ->
            post(
                () ->
                    parameter(
                        "site",
                        siteId ->
                            optionalHeaderValueByName(
                                "Authorization",
                                auth ->
                                    withSizeLimit(
                                        MAX_BODY_BYTES,
                                        () ->
                                            entity(
                                                Unmarshaller.entityToString(),
                                                text -> completeWithFuture(
                                                    request(siteId, auth, text)
                                                        .exceptionally(ErrorMapping::fromThrowable))))))));
  }

  private record Ask(String conversationId, String email, boolean chinese) {}

  private CompletionStage<HttpResponse> request(String siteId, Optional<String> auth, String text) {
    Tokens.VisitorIdentity visitor;
    Ask ask;
    try {
      visitor = visitor(siteId, auth.orElse(""));
      RequestBody body = RequestBody.parse(text);
      String email = body.requiredString("email", 3, LeaveMessageRoutes.MAX_EMAIL_CHARS);
      LeaveMessageRoutes.checkEmail(email, "email");
      ask = new Ask(body.requiredString("conversationId", 1, 64), email, "zh".equals(body.optionalString("locale", 1, 8)));
    } catch (ApiError e) {
      return CompletableFuture.completedFuture(ErrorMapping.response(e));
    }
    if (!mailer.enabled()) {
      return CompletableFuture.completedFuture(
          ErrorMapping.response(404, ErrorCode.NOT_FOUND, "this server sends no e-mail", null));
    }
    Caller caller = Caller.visitor(visitor.siteId(), visitor.visitorId());
    return sharding
        .entityRefFor(Conversation.ENTITY_KEY, ask.conversationId())
        .<StatusReply<Conversation.Summary>>ask(replyTo -> new Conversation.GetSummary(caller, replyTo), askTimeout)
        .thenCompose(
            reply -> {
              if (reply.isError() || !visitor.visitorId().equals(reply.getValue().visitorId())) {
                throw new ApiError(404, ErrorCode.UNKNOWN_CONVERSATION, "no such conversation of yours", "conversationId");
              }
              Conversation.Summary summary = reply.getValue();
              if (summary.status() != Conversation.Status.CLOSED) {
                throw ApiError.conflict("conversationId", "a transcript is sent once the chat has ended");
              }
              AtomicInteger count = sent.get(summary.conversationId(), id -> new AtomicInteger());
              if (count.incrementAndGet() > MAX_TRANSCRIPTS_PER_CONVERSATION) {
                throw ApiError.rateLimited("this chat's transcript was sent often enough today", 3600);
              }
              return entries(summary.conversationId(), 0, summary.lastSeq(), new ArrayList<>())
                  .thenCompose(entries -> names(siteId, entries).thenApply(names -> mail(summary, ask, entries, names)));
            })
        .thenApply(
            mail -> {
              if (!mailer.offer(mail)) {
                throw ApiError.overloaded("too many mails are waiting", 60);
              }
              var node = Json.MAPPER.createObjectNode().put("accepted", true);
              return HttpResponse.create()
                  .withStatus(202)
                  .withEntity(HttpEntities.create(ContentTypes.APPLICATION_JSON, node.toString()));
            });
  }

  private Tokens.VisitorIdentity visitor(String siteId, String header) {
    if (!header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      throw ApiError.unauthorized(ErrorCode.UNAUTHORIZED, "send Authorization: Bearer <visitor token from welcome>");
    }
    try {
      return tokens.verifyVisitor(header.substring(7).trim(), siteId);
    } catch (Tokens.Refused refused) {
      throw ApiError.unauthorized(
          refused.expired() ? ErrorCode.TOKEN_EXPIRED : ErrorCode.INVALID_TOKEN, "the visitor token is not valid");
    }
  }

  /** Every entry up to {@code upToSeq}, page by page. */
  private CompletionStage<List<Entry>> entries(String conversationId, long afterSeq, long upToSeq, List<Entry> into) {
    if (afterSeq >= upToSeq || into.size() >= MAX_TRANSCRIPT_ENTRIES) {
      return CompletableFuture.completedFuture(into);
    }
    return history
        .entries(conversationId, afterSeq, upToSeq)
        .thenCompose(
            page -> {
              if (page.isEmpty()) {
                return CompletableFuture.completedFuture(into);
              }
              into.addAll(page);
              return entries(conversationId, page.get(page.size() - 1).seq(), upToSeq, into);
            });
  }

  /** The display names of the agents who wrote; an agent whose account is gone reads "Agent". */
  private CompletionStage<Map<String, String>> names(String siteId, List<Entry> entries) {
    Map<String, String> names = new HashMap<>();
    CompletableFuture<Void> all = CompletableFuture.completedFuture(null);
    for (String id : entries.stream().filter(e -> e.author().role() == Participant.Role.AGENT)
        .map(e -> e.author().id()).distinct().toList()) {
      all = all.thenCompose(
          v -> sites.agentName(siteId, id).thenAccept(n -> n.ifPresent(name -> {
            synchronized (names) {
              names.put(id, name);
            }
          })));
    }
    return all.thenApply(v -> names);
  }

  private Mailer.Mail mail(Conversation.Summary s, Ask ask, List<Entry> entries, Map<String, String> names) {
    boolean zh = ask.chinese();
    StringBuilder text = new StringBuilder();
    text.append(zh ? "您的聊天记录（" : "Your chat transcript (").append(TIME.format(s.openedAt())).append(zh ? "）\n\n" : ")\n\n");
    for (Entry e : entries) {
      if (e.kind() != Entry.Kind.MESSAGE || e.text() == null) {
        continue;
      }
      String who =
          switch (e.author().role()) {
            case VISITOR -> zh ? "您" : "You";
            case AGENT -> names.getOrDefault(e.author().id(), zh ? "客服" : "Agent");
            case SYSTEM -> "Parley";
          };
      text.append('[').append(TIME.format(e.at())).append("] ").append(who).append(": ").append(e.text()).append('\n');
    }
    text.append(zh ? "\n本邮件应您的要求发送。\n" : "\nYou asked for this e-mail at the end of the chat.\n");
    return new Mailer.Mail(
        "transcript-" + UUID.randomUUID(),
        ask.email(),
        null,
        zh ? "您的聊天记录" : "Your chat transcript",
        text.toString());
  }
}
