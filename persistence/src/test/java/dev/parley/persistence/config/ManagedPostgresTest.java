package dev.parley.persistence.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The embedded default's PostgreSQL server: durable commits, password-only logins, private files, data that
 * survives a restart, and one node per data directory.
 */
class ManagedPostgresTest {

  private static Path freshDir() throws Exception {
    return Files.createDirectories(Path.of("target", "managed-postgres", UUID.randomUUID().toString()));
  }

  private static String show(Connection c, String setting) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SHOW " + setting)) {
      rs.next();
      return rs.getString(1);
    }
  }

  @Test
  void commitsAreDurableAndOnlyThePasswordLetsAnyoneIn() throws Exception {
    Path dir = freshDir();
    try (ManagedPostgres pg = ManagedPostgres.start(dir, 2, 1)) {
      PersistenceSettings settings = pg.settings();
      try (Connection c = DriverManager.getConnection(settings.jdbcUrl(), settings.user(), settings.password())) {
        assertThat(show(c, "fsync")).isEqualTo("on");
        assertThat(show(c, "synchronous_commit")).isEqualTo("on");
        assertThat(show(c, "full_page_writes")).isEqualTo("on");
      }
      assertThatThrownBy(() -> DriverManager.getConnection(settings.jdbcUrl(), settings.user(), ""))
          .isInstanceOf(SQLException.class);
      assertThatThrownBy(() -> DriverManager.getConnection(settings.jdbcUrl(), settings.user(), "guess"))
          .isInstanceOf(SQLException.class);
    }
  }

  @Test
  void theDataDirectoryAndThePasswordArePrivateToTheNodesUser() throws Exception {
    Path dir = freshDir();
    try (ManagedPostgres pg = ManagedPostgres.start(dir, 2, 1)) {
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir))).isEqualTo("rwx------");
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("postgresql"))))
          .isEqualTo("rwx------");
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("postgresql.password"))))
          .isEqualTo("rw-------");
    }
  }

  @Test
  void whatWasCommittedIsThereAfterARestart() throws Exception {
    Path dir = freshDir();
    try (ManagedPostgres pg = ManagedPostgres.start(dir, 2, 1)) {
      PersistenceSettings s = pg.settings();
      try (Connection c = DriverManager.getConnection(s.jdbcUrl(), s.user(), s.password());
          Statement st = c.createStatement()) {
        st.execute("CREATE TABLE kept (v TEXT)");
        st.execute("INSERT INTO kept VALUES ('茉莉花')");
      }
    }
    try (ManagedPostgres pg = ManagedPostgres.start(dir, 2, 1)) {
      PersistenceSettings s = pg.settings();
      try (Connection c = DriverManager.getConnection(s.jdbcUrl(), s.user(), s.password());
          Statement st = c.createStatement();
          ResultSet rs = st.executeQuery("SELECT v FROM kept")) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getString(1)).isEqualTo("茉莉花");
      }
    }
  }

  @Test
  void aSecondNodeOnTheSameDataDirectoryIsRefusedAndAToolAttaches() throws Exception {
    Path dir = freshDir();
    try (ManagedPostgres pg = ManagedPostgres.start(dir, 2, 1)) {
      assertThatThrownBy(() -> ManagedPostgres.start(dir, 2, 1))
          .hasMessageContaining("another Parley node is running");
      PersistenceSettings attached = ManagedPostgres.attach(dir, 1).orElseThrow();
      assertThat(attached.jdbcUrl()).contains(":" + pg.port() + "/");
      try (Connection c = DriverManager.getConnection(attached.jdbcUrl(), attached.user(), attached.password())) {
        assertThat(show(c, "fsync")).isEqualTo("on");
      }
    }
    assertThat(ManagedPostgres.attach(dir, 1)).as("nothing runs there any more").isEmpty();
  }
}
