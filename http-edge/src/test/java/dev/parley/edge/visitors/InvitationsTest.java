package dev.parley.edge.visitors;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.zaxxer.hikari.HikariDataSource;
import dev.parley.edge.testing.GeoDatabase;
import dev.parley.edge.testing.TestServer;
import dev.parley.edge.testing.WireClient;
import dev.parley.persistence.config.Databases;
import dev.parley.persistence.testing.TestDatabases;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Proactive invitations over real WebSockets against a real node: an agent invites a visitor online now, the
 * visitor's connection shows it, and the answer (accepted, closed, ignored) reaches the agent once and is recorded
 * in the visitor's journal; accepting joins the inviting agent to the chat the visitor's reply opened.
 */
class InvitationsTest {

  private static final Duration WAIT = Duration.ofSeconds(15);
  private static final String TEXT = "Hi! Can I help you choose a tea?";

  private static TestServer server;
  private static String admin;

  @BeforeAll
  static void start() {
    server =
        TestServer.start(
            TestDatabases.freshPostgres(),
            Map.of(
                "parley.edge.admission.trusted-proxies", "127.0.0.1",
                "parley.geo.city-database", GeoDatabase.cityPath()));
    admin = server.adminToken();
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  private record Agent(WireClient client, String id, String name) {}

  private static Agent agent(String site) {
    String token = server.createAgent(admin, site, "lin-" + UUID.randomUUID().toString().substring(0, 6));
    WireClient c = WireClient.connect(server.agentUri(), null);
    c.send(WireClient.frame("hello").put("token", token));
    JsonNode welcome = c.awaitType("welcome", WAIT);
    return new Agent(c, welcome.path("agentId").asText(), welcome.path("displayName").asText());
  }

  private static WireClient visitor(String site) {
    WireClient c =
        WireClient.connect(server.visitorUri(site), server.origin(), Map.of("X-Forwarded-For", GeoDatabase.BEIJING));
    c.send(WireClient.frame("hello"));
    c.awaitType("welcome", WAIT);
    return c;
  }

  private static String newSite() {
    String site = "tea-" + UUID.randomUUID().toString().substring(0, 8);
    server.createSite(admin, site);
    return site;
  }

  private static JsonNode answerTo(WireClient client, String id) {
    return client.await(
        f -> id.equals(f.path("id").asText()) && f.path("type").asText().equals("ack")
            || id.equals(f.path("ref").asText()) && f.path("type").asText().equals("error"),
        WAIT);
  }

  /** Agents invite from the live list: wait until the visitor is on it (a new arrival is listed within a second). */
  private static JsonNode invite(Agent agent, String site, String visitorId, String id) {
    agent.client().send(WireClient.frame("watchVisitors").put("siteId", site));
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (agent.client().all().stream()
        .filter(f -> f.path("type").asText().startsWith("visitors"))
        .noneMatch(f -> f.toString().contains(visitorId))) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("visitor " + visitorId + " never listed");
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
    }
    return sendInvite(agent, site, visitorId, id);
  }

  private static JsonNode sendInvite(Agent agent, String site, String visitorId, String id) {
    agent.client().send(
        WireClient.frame("invite").put("id", id).put("siteId", site).put("visitorId", visitorId).put("text", TEXT));
    return answerTo(agent.client(), id);
  }

  @Test
  void anAcceptedInvitationJoinsTheInvitingAgentToTheVisitorsChat() throws Exception {
    String site = newSite();
    Agent lin = agent(site);
    try (WireClient agent = lin.client();
        WireClient visitor = visitor(site)) {
      String visitorId = visitor.all().get(0).path("visitorId").asText();
      assertThat(invite(lin, site, visitorId, "inv-1").path("type").asText()).isEqualTo("ack");

      JsonNode shown = visitor.awaitType("invitation", WAIT);
      assertThat(shown.path("text").asText()).isEqualTo(TEXT);
      assertThat(shown.path("agent").path("name").asText()).isEqualTo(lin.name());
      assertThat(shown.path("agent").path("initials").asText())
          .isEqualTo(lin.name().substring(0, 1).toUpperCase(java.util.Locale.ROOT));
      String invitationId = shown.path("invitationId").asText();

      visitor.send(WireClient.frame("send").put("id", "m1").put("text", "Yes please, something floral"));
      String conversation = answerTo(visitor, "m1").path("conversationId").asText();
      visitor.send(
          WireClient.frame("answerInvitation").put("id", "a1").put("invitationId", invitationId).put("answer", "accept"));
      assertThat(answerTo(visitor, "a1").path("conversationId").asText()).isEqualTo(conversation);

      JsonNode answered = agent.awaitType("invitationAnswered", WAIT);
      assertThat(answered.path("id").asText()).isEqualTo("inv-1");
      assertThat(answered.path("answer").asText()).isEqualTo("accepted");
      assertThat(answered.path("conversationId").asText()).isEqualTo(conversation);
      assertThat(answerTo(agent, "invitation-" + invitationId).path("seq").asLong()).isEqualTo(2);

      // The visitor sees the inviting agent join and the invitation's words as its first message; they chat.
      JsonNode ended = visitor.awaitType("invitationEnded", WAIT);
      assertThat(ended.path("answer").asText()).isEqualTo("accepted");
      JsonNode first =
          visitor.await(
              f -> f.path("type").asText().equals("event") && f.path("kind").asText().equals("message")
                  && f.path("author").path("role").asText().equals("agent"),
              WAIT);
      assertThat(first.path("text").asText()).isEqualTo(TEXT);
      assertThat(first.path("author").path("id").asText()).isEqualTo(lin.id());
      agent.send(WireClient.frame("send").put("id", "r1").put("conversationId", conversation).put("text", "Try jasmine."));
      visitor.await(f -> f.path("text").asText().equals("Try jasmine."), WAIT);

      awaitRecorded(site, visitorId, List.of("InvitationSent", "InvitationAnswered"), "accepted");
    }
  }

  @Test
  void aClosedInvitationIsToldOnceAndAnIgnoredOneWhenTheVisitorLeaves() throws Exception {
    String site = newSite();
    Agent mei = agent(site);
    try (WireClient agent = mei.client()) {
      try (WireClient visitor = visitor(site)) {
        String visitorId = visitor.all().get(0).path("visitorId").asText();
        invite(mei, site, visitorId, "inv-c");
        String invitationId = visitor.awaitType("invitation", WAIT).path("invitationId").asText();
        visitor.send(
            WireClient.frame("answerInvitation").put("id", "c1").put("invitationId", invitationId).put("answer", "close"));
        assertThat(answerTo(visitor, "c1").path("type").asText()).isEqualTo("ack");
        JsonNode closed = agent.awaitType("invitationAnswered", WAIT);
        assertThat(closed.path("answer").asText()).isEqualTo("closed");
        assertThat(closed.has("conversationId")).isFalse();
        visitor.send(
            WireClient.frame("answerInvitation").put("id", "c2").put("invitationId", invitationId).put("answer", "close"));
        assertThat(answerTo(visitor, "c2").path("field").asText()).isEqualTo("invitationId");
        awaitRecorded(site, visitorId, List.of("InvitationSent", "InvitationAnswered"), "closed");
      }

      WireClient leaving = visitor(site);
      String leaverId = leaving.all().get(0).path("visitorId").asText();
      invite(mei, site, leaverId, "inv-i");
      leaving.awaitType("invitation", WAIT);
      leaving.close();
      JsonNode ignored =
          agent.await(
              f -> f.path("type").asText().equals("invitationAnswered") && f.path("id").asText().equals("inv-i"),
              VisitorsNow.LINGER.plus(WAIT));
      assertThat(ignored.path("answer").asText()).isEqualTo("ignored");
      awaitRecorded(site, leaverId, List.of("InvitationSent", "InvitationAnswered"), "ignored");
      long answers = agent.all().stream().filter(f -> f.path("type").asText().equals("invitationAnswered")).count();
      assertThat(answers).isEqualTo(2);

      // The statistics count both, as the agent's, from the read side of the visitors' journals.
      JsonNode counted =
          server.awaitJson("/api/sites/" + site + "/statistics?by=total&agent=" + mei.id(), admin,
              r -> r.path("invitations").path("ignored").asLong() == 1, WAIT).path("invitations");
      assertThat(counted.path("sent").asLong()).isEqualTo(2);
      assertThat(counted.path("byAgents").asLong()).isEqualTo(2);
      assertThat(counted.path("automatic").asLong()).isZero();
      assertThat(counted.path("closed").asLong()).isEqualTo(1);
      assertThat(counted.path("accepted").asLong()).isZero();
      assertThat(server.awaitJson("/api/sites/" + site + "/statistics?by=total&agent=someone-else", admin,
          r -> true, WAIT).path("invitations").path("sent").asLong()).isZero();
    }
  }

  @Test
  void badInvitationsGetTypedErrorsAndReachNobody() {
    String site = newSite();
    String other = newSite();
    Agent agent = agent(site);
    try (WireClient a = agent.client();
        WireClient visitor = visitor(site)) {
      String visitorId = visitor.all().get(0).path("visitorId").asText();
      invite(agent, site, visitorId, "x0"); // the visitor is listed (and invited once)
      assertThat(sendInvite(agent, site, "nobody-here", "x1").path("code").asText()).isEqualTo("visitor-offline");
      assertThat(sendInvite(agent, other, visitorId, "x2").path("code").asText()).isEqualTo("not-allowed");
      a.send(WireClient.frame("invite").put("id", "x3").put("siteId", site).put("visitorId", visitorId)
          .put("text", "x".repeat(Invitation.MAX_TEXT_CHARS + 1)));
      assertThat(answerTo(a, "x3").path("field").asText()).isEqualTo("text");
      visitor.send(WireClient.frame("invite").put("id", "x4").put("siteId", site).put("visitorId", visitorId)
          .put("text", "hi"));
      assertThat(visitor.await(f -> f.path("code").asText().equals("not-allowed"), WAIT).path("message").asText())
          .contains("only agents");
      visitor.send(WireClient.frame("answerInvitation").put("id", "x5").put("invitationId", "made-up").put("answer", "accept"));
      assertThat(answerTo(visitor, "x5").path("code").asText()).isEqualTo("invalid-field");
      visitor.roundTrip(WAIT);
      assertThat(visitor.all().stream().filter(f -> f.path("type").asText().equals("invitation")).count())
          .as("only the one good invitation was shown").isEqualTo(1);
    }
  }

  /** Waits until the visitor's journal holds events of these kinds, in order, the last containing {@code word}. */
  private static void awaitRecorded(String site, String visitorId, List<String> kinds, String word) throws Exception {
    long deadline = System.nanoTime() + WAIT.toNanos();
    List<String> found = List.of();
    while (System.nanoTime() < deadline) {
      found = journal(site, visitorId, word);
      if (found.equals(kinds)) {
        return;
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
    }
    throw new AssertionError("journal of " + visitorId + " has " + found + ", expected " + kinds);
  }

  /** Invitation events of the visitor, by kind; an answer counts only if its payload holds {@code word}. */
  private static List<String> journal(String site, String visitorId, String word) throws Exception {
    List<String> kinds = new ArrayList<>();
    try (HikariDataSource ds = Databases.configPool(server.storage());
        Connection c = ds.getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "SELECT event_ser_manifest, position(? in event_payload) > 0 FROM event_journal"
                    + " WHERE persistence_id = ? ORDER BY sequence_number")) {
      ps.setBytes(1, word.getBytes(StandardCharsets.UTF_8));
      ps.setString(2, "Visitor|" + site + ":" + visitorId);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          String manifest = rs.getString(1);
          if (manifest.endsWith("InvitationSent")) {
            kinds.add("InvitationSent");
          } else if (manifest.endsWith("InvitationAnswered") && rs.getBoolean(2)) {
            kinds.add("InvitationAnswered");
          }
        }
      }
    }
    return kinds;
  }
}
