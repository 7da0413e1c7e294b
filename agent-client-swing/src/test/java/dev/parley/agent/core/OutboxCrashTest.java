package dev.parley.agent.core;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.agent.testing.Await;
import dev.parley.agent.testing.LiveServer;
import dev.parley.agent.testing.ScriptedVisitor;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The outbox survives the process: a client JVM is killed (SIGKILL) right after its outbox file holds a message,
 * and a client restarted from the same file delivers it, exactly once, with the same client message id.
 */
class OutboxCrashTest {

  private static LiveServer server;
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  @TempDir Path dir;

  @BeforeAll
  static void start() {
    server = LiveServer.start();
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  @Test
  void messageWrittenWhileOfflineIsDeliveredOnceAfterKillAndRestart() throws Exception {
    int deadPort;
    try (ServerSocket s = new ServerSocket(0)) {
      deadPort = s.getLocalPort(); // closed again: connecting there fails, as with the network down
    }
    killAndRestart(URI.create("http://127.0.0.1:" + deadPort), "sent with the network down");
  }

  @Test
  void messageInFlightWhenKilledIsDeliveredOnceAfterRestart() throws Exception {
    killAndRestart(server.base(), "sent just before the kill");
  }

  private void killAndRestart(URI childConnectsTo, String text) throws Exception {
    LiveServer.Account account = server.newAgent("crash");
    AuthApi.Login login =
        (AuthApi.Login) new AuthApi(HTTP, server.base()).login(account.username(), account.password());
    Path outboxFile = dir.resolve("outbox-" + login.accountId() + ".json");
    try (ScriptedVisitor visitor = new ScriptedVisitor(server)) {
      String conversation = visitor.say("Where is my parcel?");
      claim(login, conversation);

      Process child = new ProcessBuilder(
              Path.of(System.getProperty("java.home"), "bin", "java").toString(),
              "-cp", System.getProperty("java.class.path"),
              "-Xmx128m",
              OutboxChild.class.getName(),
              server.base().toString(), childConnectsTo.toString(), outboxFile.toString(), conversation, text,
              login.token(), login.accountId())
          .redirectError(ProcessBuilder.Redirect.DISCARD)
          .start();
      String id;
      try {
        id = awaitWritten(child);
      } finally {
        child.destroyForcibly();
        child.waitFor(10, TimeUnit.SECONDS);
      }
      assertThat(child.isAlive()).isFalse();

      // Restart from the same file, in a new process-level client.
      Outbox outbox = new Outbox(outboxFile);
      boolean wasPending = outbox.contains(id);
      if (!childConnectsTo.equals(server.base())) {
        assertThat(wasPending).as("the offline child cannot have had an ack").isTrue();
      }
      try (AgentClient restarted = new AgentClient(HTTP, server.base(), login, outbox, Clock.systemUTC())) {
        restarted.start();
        visitor.await(f -> id.equals(f.path("id").asText()));
        Await.until("outbox drained after restart", () -> outbox.size() == 0);
        // A later message proves everything before it has been delivered: no late duplicate can still come.
        String sameConversation = visitor.say("thanks");
        Await.until("restarted client holds the later message", () -> restarted.workspace().view(conversation) != null
            && restarted.workspace().view(conversation).timeline().stream().anyMatch(e -> "thanks".equals(e.text())));
        visitor.await(f -> "event".equals(f.path("type").asText()) && sameConversation.equals(f.path("conversationId").asText())
            && "thanks".equals(f.path("text").asText()));
        List<JsonNode> delivered = visitor.messageEvents(id);
        assertThat(delivered).hasSize(1);
        assertThat(delivered.get(0).path("text").asText()).isEqualTo(text);
        assertThat(restarted.workspace().view(conversation).timeline().stream()
            .filter(e -> id.equals(e.id()) && e.seq() > 0)).hasSize(1);
      }
    }
  }

  private void claim(AuthApi.Login login, String conversation) throws Exception {
    Path claimOutbox = dir.resolve("claim-outbox.json");
    try (AgentClient claimer =
        new AgentClient(HTTP, server.base(), login, new Outbox(claimOutbox), Clock.systemUTC())) {
      claimer.start();
      Await.until("queued", () -> claimer.workspace().queue().stream()
          .anyMatch(q -> q.conversationId().equals(conversation)));
      claimer.claim(conversation);
      Await.until("claimed", () -> claimer.workspace().view(conversation) != null
          && "assigned".equals(claimer.workspace().view(conversation).status()));
    }
  }

  private static String awaitWritten(Process child) throws Exception {
    List<String> lines = new ArrayList<>();
    CompletableFuture<String> written = CompletableFuture.supplyAsync(() -> {
      try (BufferedReader out = new BufferedReader(
          new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = out.readLine()) != null) {
          lines.add(line);
          if (line.startsWith("WRITTEN ")) {
            return line.substring("WRITTEN ".length());
          }
        }
        throw new AssertionError("child ended without writing its outbox: " + lines);
      } catch (java.io.IOException e) {
        throw new AssertionError(e);
      }
    });
    return written.get(Await.WAIT.toSeconds() + 10, TimeUnit.SECONDS);
  }
}
