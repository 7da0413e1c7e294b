package dev.parley.edge.testing;

import dev.parley.persistence.testing.TestDatabases;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** Tests against one running server on a fresh PostgreSQL database, shared by the test class, with its admin signed in. */
public abstract class ServerTest {

  protected static TestServer server;
  protected static String adminToken;

  @BeforeAll
  static void startServer() {
    server = TestServer.start(TestDatabases.freshPostgres());
    adminToken = server.adminToken();
  }

  @AfterAll
  static void stopServer() {
    server.close();
  }

  /** A name no other test of the run uses. */
  protected static String unique(String prefix) {
    return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
  }
}
