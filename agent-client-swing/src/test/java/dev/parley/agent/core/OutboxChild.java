package dev.parley.agent.core;

import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;

/**
 * The client core in a child JVM for {@link OutboxCrashTest}: logs in, connects to {@code connectTo} (which may be a
 * dead port: "network down"), sends one message, prints {@code WRITTEN <id>} once the outbox file holds it, and then
 * waits to be killed.
 */
public final class OutboxChild {

  public static void main(String[] args) throws Exception {
    URI server = URI.create(args[0]);
    URI connectTo = URI.create(args[1]);
    Path outboxFile = Path.of(args[2]);
    String conversationId = args[3];
    String text = args[4];
    String token = args[5];
    String accountId = args[6];
    HttpClient http = HttpClient.newHttpClient();
    AuthApi.Login login = new AuthApi.Login(token, Instant.now().plusSeconds(3600), accountId, "child");
    AgentClient client = new AgentClient(http, connectTo, login, new Outbox(outboxFile), Clock.systemUTC());
    client.start();
    if (!server.equals(connectTo)) {
      System.out.println("OFFLINE");
    }
    String id = client.send(conversationId, text);
    long deadline = System.nanoTime() + 20_000_000_000L;
    while (!(Files.exists(outboxFile) && Files.readString(outboxFile).contains(id))) {
      if (System.nanoTime() > deadline) {
        System.out.println("TIMEOUT");
        System.exit(2);
      }
      Thread.onSpinWait();
    }
    System.out.println("WRITTEN " + id);
    System.out.flush();
    Thread.sleep(Long.MAX_VALUE); // waiting to be killed, which is the point of this process
  }
}
