package dev.parley.edge;

import com.typesafe.config.Config;
import com.zaxxer.hikari.HikariDataSource;
import dev.parley.core.Domain;
import dev.parley.edge.mail.LeaveMessageRoutes;
import dev.parley.edge.mail.MailSettings;
import dev.parley.edge.mail.Mailer;
import dev.parley.edge.mail.TranscriptRoutes;
import dev.parley.edge.web.WidgetRoutes;
import dev.parley.edge.admin.ApiContext;
import dev.parley.edge.admin.PrivacyRoutes;
import dev.parley.edge.admin.routing.RoutingRoutes;
import dev.parley.edge.admin.FileLibraryRoutes;
import dev.parley.edge.admin.InvitationRuleRoutes;
import dev.parley.edge.admin.TeamMailRoutes;
import dev.parley.persistence.directory.SiteTeamMail;
import dev.parley.persistence.visitors.InvitationRuleStore;
import dev.parley.edge.admission.Admission;
import dev.parley.edge.admission.AdmissionSettings;
import dev.parley.edge.admission.ClientAddress;
import dev.parley.edge.auth.AuthSettings;
import dev.parley.edge.auth.FirstStart;
import dev.parley.edge.auth.LoginThrottle;
import dev.parley.edge.auth.PasswordHashing;
import dev.parley.edge.auth.Revocations;
import dev.parley.edge.auth.SecretBox;
import dev.parley.edge.auth.Tokens;
import dev.parley.edge.files.Attachments;
import dev.parley.edge.files.FileAccess;
import dev.parley.edge.files.FileInspector;
import dev.parley.edge.files.FileLinks;
import dev.parley.edge.files.FileRoutes;
import dev.parley.edge.files.FileSettings;
import dev.parley.edge.files.Uploads;
import dev.parley.persistence.blob.BlobStore;
import dev.parley.persistence.blob.BlobStores;
import dev.parley.persistence.files.FileLibrary;
import dev.parley.persistence.files.FileRecords;
import dev.parley.edge.config.EdgeSettings;
import dev.parley.edge.tls.ClusterTransport;
import dev.parley.edge.tls.HttpRedirect;
import dev.parley.edge.tls.ServerTls;
import dev.parley.edge.tls.TlsSettings;
import dev.parley.edge.session.SessionDeps;
import dev.parley.edge.visitors.GeoLocator;
import dev.parley.edge.visitors.Presence;
import dev.parley.edge.visitors.VisitorJournal;
import dev.parley.edge.visitors.VisitorsNow;
import dev.parley.edge.transport.ConnectionRoutes;
import dev.parley.edge.transport.Gateway;
import dev.parley.edge.web.UserAgents;
import dev.parley.persistence.config.Databases;
import dev.parley.persistence.config.PersistenceSettings;
import dev.parley.persistence.config.PlannerStatistics;
import dev.parley.persistence.config.Storage;
import dev.parley.persistence.audit.AuditLog;
import dev.parley.persistence.privacy.Erasures;
import dev.parley.persistence.directory.Directory;
import dev.parley.persistence.directory.QuickReplies;
import dev.parley.persistence.directory.SecretStore;
import dev.parley.persistence.directory.SiteWidgets;
import dev.parley.persistence.directory.TwoFactorStore;
import dev.parley.persistence.history.JournalConversationHistory;
import dev.parley.persistence.routing.RoutingStore;
import dev.parley.edge.history.ConversationRoutes;
import dev.parley.edge.history.ExportRoutes;
import dev.parley.edge.history.ReadApi;
import dev.parley.edge.history.LabelRoutes;
import dev.parley.edge.history.RatingRoutes;
import dev.parley.edge.history.SearchRoutes;
import dev.parley.edge.history.StatisticsRoutes;
import dev.parley.edge.webhooks.WebhookRoutes;
import dev.parley.edge.webhooks.WebhookSender;
import dev.parley.edge.webhooks.WebhookSettings;
import dev.parley.persistence.projection.ReadModels;
import dev.parley.persistence.projection.ReadSide;
import dev.parley.persistence.projection.RoutingFeedProjection;
import dev.parley.persistence.statistics.AgentActivity;
import dev.parley.persistence.webhook.Webhooks;
import dev.parley.persistence.statistics.SiteTimeZones;
import dev.parley.persistence.statistics.Statistics;
import dev.parley.persistence.readmodel.ConversationReads;
import dev.parley.persistence.readmodel.ExportJobs;
import dev.parley.persistence.search.TextAnalyzer;
import java.util.concurrent.Semaphore;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.Done;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.Cancellable;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBuilder;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.management.javadsl.PekkoManagement;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Parley node: database, actor system with cluster sharding, and the HTTP edge.
 *
 * <p>{@link #start} brings everything up in order (schema, cluster, entities, secrets, HTTP, first-start data);
 * {@link #close} takes it down through Pekko's coordinated shutdown. Tests start several nodes in one JVM.
 */
public final class ParleyServer implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(ParleyServer.class);
  private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(60);
  private static final Duration PLANNER_STATISTICS_EVERY = Duration.ofSeconds(10);
  private static final String TOKEN_SECRET = "token-signing-key";
  /** Keys the opaque per-address keys that queues count by (admission control). */
  private static final String CLIENT_KEY_SECRET = "client-key";
  private static final String TOTP_KEY = "totp-encryption-key";
  /** Signs download links of attachments (FileLinks). */
  private static final String FILE_LINK_KEY = "file-link-key";

  private final ActorSystem<Void> system;
  private final ServerBinding binding;
  /** The plain-HTTP port that redirects to https; empty when there is none. */
  private final Optional<ServerBinding> redirectBinding;
  private final String publicUrl;
  private final Directory directory;
  private final Optional<FirstStart.Credentials> firstStartCredentials;
  private final PasswordHashing hashing;

  private ParleyServer(
      ActorSystem<Void> system,
      ServerBinding binding,
      Optional<ServerBinding> redirectBinding,
      String publicUrl,
      Directory directory,
      Optional<FirstStart.Credentials> firstStartCredentials,
      PasswordHashing hashing) {
    this.system = system;
    this.binding = binding;
    this.redirectBinding = redirectBinding;
    this.publicUrl = publicUrl;
    this.directory = directory;
    this.firstStartCredentials = firstStartCredentials;
    this.hashing = hashing;
  }

  /**
   * Starts a node from a loaded (not necessarily resolved) config, on the database it names (by default the
   * embedded PostgreSQL server under ./data, started here). Blocks until it serves HTTP.
   */
  public static ParleyServer start(Config config) {
    Storage database = Storage.open(config.resolve());
    try {
      return start(config, database);
    } catch (RuntimeException e) {
      database.close();
      throw e;
    }
  }

  /** Starts a node on a database someone else runs, other settings from {@code config}. */
  public static ParleyServer start(Config config, PersistenceSettings storage) {
    return start(config, Storage.external(storage));
  }

  private static ParleyServer start(Config config, Storage database) {
    Config resolved = config.resolve();
    EdgeSettings edge = EdgeSettings.fromConfig(resolved);
    AuthSettings auth = AuthSettings.fromConfig(resolved);
    // Before anything starts: a certificate or keystore that cannot be used is a one-line error, not a half-up node.
    Optional<ServerTls> tls = TlsSettings.fromConfig(resolved).map(ServerTls::load);
    ClusterTransport.check(resolved);
    PersistenceSettings storage = database.settings();
    log.info("Starting Parley on {}", database);

    HikariDataSource pool = Databases.configPool(storage);
    try {
      Databases.migrate(pool, storage);
    } catch (RuntimeException e) {
      pool.close();
      throw e;
    }
    Config readSideConfig = resolved.getConfig("parley.persistence.read-side");
    HikariDataSource projectionPool =
        Databases.pool(storage, "read-side", readSideConfig.getInt("max-connections"));
    HikariDataSource queryPool = Databases.pool(storage, "read-query", readSideConfig.getInt("query-max-connections"));
    ActorSystem<Void> system =
        ActorSystem.create(Behaviors.empty(), "parley", storage.pekkoConfig().withFallback(config).resolve());
    // Last of all, once every entity has stopped writing: the pools, then the embedded server (if any).
    CoordinatedShutdown.get(system)
        .addTask(
            CoordinatedShutdown.PhaseBeforeActorSystemTerminate(),
            "close-storage",
            () ->
                CompletableFuture.supplyAsync(
                    () -> {
                      projectionPool.close();
                      queryPool.close();
                      pool.close();
                      database.close();
                      return Done.getInstance();
                    }));
    system.getWhenTerminated().thenRun(() -> {
      projectionPool.close();
      queryPool.close();
      pool.close();
    });
    try {
      Cluster cluster = Cluster.get(system);
      if (resolved.getStringList("pekko.cluster.seed-nodes").isEmpty()) {
        cluster.manager().tell(Join.create(cluster.selfMember().address()));
      }
      if (resolved.getBoolean("parley.management.enabled")) {
        PekkoManagement.get(Adapter.toClassic(system))
            .start()
            .toCompletableFuture()
            .get(STARTUP_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
      }
      Executor blocking =
          system.dispatchers().lookup(DispatcherSelector.fromConfig("parley-blocking-dispatcher"));
      // A young database's planner statistics lag its growth by minutes; without them a fresh node under load
      // spends its database on the projections' reads (PlannerStatistics).
      PlannerStatistics statistics = new PlannerStatistics(pool);
      Cancellable statisticsTask =
          system.scheduler()
              .scheduleWithFixedDelay(
                  PLANNER_STATISTICS_EVERY, PLANNER_STATISTICS_EVERY, statistics::refresh,
                  system.dispatchers().lookup(DispatcherSelector.fromConfig("parley-blocking-dispatcher")));
      CoordinatedShutdown.get(system)
          .addTask(
              CoordinatedShutdown.PhaseServiceUnbind(),
              "stop-planner-statistics",
              () -> {
                statisticsTask.cancel();
                return CompletableFuture.completedFuture(Done.getInstance());
              });
      RoutingStore routing = new RoutingStore(pool, blocking);
      ClusterSharding sharding = Domain.start(system, routing);
      // The routing feed: what conversations' events mean to queues, capacities and lists, delivered at least once
      // from the journal. Always on: without it nothing would be queued (docs/ARCHITECTURE.md).
      new RoutingFeedProjection(system, projectionPool).runSharded();
      // The read side: one projection per read model and tag slice, spread over the cluster (docs/DECISIONS.md).
      TextAnalyzer analyzer = new TextAnalyzer();
      ReadSide readSide =
          new ReadSide(system, projectionPool, ReadModels.all(analyzer), false, ReadSide.Observer.NONE);
      if (readSideConfig.getBoolean("projections")) {
        readSide.runSharded();
      } else {
        log.warn("Projections are off (parley.persistence.read-side.projections): history and search fall behind");
      }
      ReadApi readApi =
          new ReadApi(
              new ConversationReads(queryPool, analyzer),
              new ExportJobs(queryPool),
              queryPool,
              new Semaphore(readSideConfig.getInt("max-concurrent-exports")));

      Directory directory = new Directory(pool);
      Clock clock = Clock.systemUTC();
      SecretStore secrets = new SecretStore(pool);
      Tokens tokens =
          new Tokens(
              secrets.getOrCreate(TOKEN_SECRET),
              clock,
              edge.agentTokenTtl(),
              edge.visitorTokenTtl(),
              auth.maxSession(),
              auth.challengeTtl());
      PasswordHashing hashing = new PasswordHashing(auth.hashingThreads(), auth.hashingQueue());
      system.getWhenTerminated().thenRun(hashing::close);
      Mailer mailer = new Mailer(MailSettings.fromConfig(resolved));
      system.getWhenTerminated().thenRun(mailer::close);
      SiteCache sites = new SiteCache(directory, new SiteWidgets(pool), blocking);
      AdmissionSettings admissionSettings = AdmissionSettings.fromConfig(resolved);
      Admission admission =
          new Admission(admissionSettings, new SecretStore(pool).getOrCreate(CLIENT_KEY_SECRET));
      ClientAddress clientAddress = ClientAddress.trusting(admissionSettings.trustedProxies());
      GeoLocator geo =
          GeoLocator.open(
              resolved.getString("parley.geo.city-database"), resolved.getString("parley.geo.asn-database"));
      system.getWhenTerminated().thenRun(geo::close);
      InvitationRuleStore invitationRules = new InvitationRuleStore(pool, blocking);
      SiteTeamMail teamMail = new SiteTeamMail(pool);
      ActorRef<VisitorsNow.Command> visitorsNow =
          system.systemActorOf(
              VisitorsNow.create(clock, new VisitorJournal(sharding, clock), invitationRules),
              "visitors-now",
              Props.empty());
      // Files and images (issue 15): bytes in the blob store, rows in file_upload, signed links for downloads.
      BlobStore blobs = BlobStores.open(resolved);
      system.getWhenTerminated().thenRun(() -> {
        try {
          blobs.close();
        } catch (java.io.IOException e) {
          log.warn("The blob store did not close cleanly: {}", e.toString());
        }
      });
      FileSettings fileSettings = FileSettings.fromConfig(resolved);
      FileRecords fileRecords = new FileRecords(pool);
      FileLibrary fileLibrary = new FileLibrary(pool);
      Uploads uploads = new Uploads(blobs, fileRecords, new FileInspector(fileSettings), fileSettings, clock);
      FileLinks fileLinks = new FileLinks(secrets.getOrCreate(FILE_LINK_KEY), clock, fileSettings.linkTtl());
      FileRoutes fileRoutes =
          new FileRoutes(
              uploads,
              fileRecords,
              blobs,
              new FileAccess(
                  tokens, directory, sharding, edge.askTimeout(), blocking, fileSettings.uploadRequestsPerMinute()),
              fileLinks,
              blocking,
              fileSettings.maxConcurrentUploads());
      SessionDeps deps =
          new SessionDeps(
              sharding,
              tokens,
              directory,
              blocking,
              new JournalConversationHistory(system),
              edge,
              clock,
              sites,
              new UserAgents(),
              admission,
              new Presence(visitorsNow, geo),
              new Attachments(fileRecords, blocking, fileLibrary, blobs, uploads, clock));
      Gateway gateway = new Gateway(system, deps);
      AuditLog audit = new AuditLog(pool);
      // Webhooks: every node sends due deliveries; the projection (ReadModels) fills them exactly once.
      Webhooks webhooks = new Webhooks(pool);
      WebhookSender webhookSender = new WebhookSender(webhooks, WebhookSettings.fromConfig(resolved), clock);
      webhookSender.start();
      CoordinatedShutdown.get(system)
          .addTask(
              CoordinatedShutdown.PhaseServiceStop(),
              "stop-webhook-sender",
              () -> {
                webhookSender.close();
                return CompletableFuture.completedFuture(Done.getInstance());
              });
      Erasures erasures = new Erasures(system, sharding, pool, blocking, clock, audit, blobs);
      erasures.resumeUnfinished();
      erasures.startRetentionSweeps(resolved.getDuration("parley.privacy.retention-sweep-every"));

      // The agent endpoint's own origins depend on the bound port when port 0 is asked for: filled once bound.
      Set<String> origins = new java.util.concurrent.CopyOnWriteArraySet<>();
      HttpApi api =
          new HttpApi(
              new ApiContext(
                  tokens,
                  directory,
                  sites,
                  blocking,
                  clock,
                  new QuickReplies(pool),
                  auth,
                  hashing,
                  new LoginThrottle(),
                  new Revocations(sharding, edge.askTimeout(), blocking),
                  new TwoFactorStore(pool),
                  new SecretBox(secrets.getOrCreate(TOTP_KEY)),
                  clientAddress,
                  audit),
              new ConnectionRoutes(gateway, sites, origins, admission, clientAddress),
              List.of(
                  (context, siteRoutes) -> new RoutingRoutes(context, routing, sharding),
                  (context, siteRoutes) -> new InvitationRuleRoutes(context, invitationRules, visitorsNow),
                  (context, siteRoutes) ->
                      new TeamMailRoutes(context, teamMail, !mailer.settings().teamTo().isEmpty()),
                  (context, siteRoutes) -> new PrivacyRoutes(context, siteRoutes, erasures, audit),
                  (context, siteRoutes) -> new ConversationRoutes(context, readApi),
                  (context, siteRoutes) -> new SearchRoutes(context, readApi),
                  (context, siteRoutes) -> new RatingRoutes(context, readApi),
                  (context, siteRoutes) -> new LabelRoutes(context, sharding, edge.askTimeout()),
                  (context, siteRoutes) -> new WebhookRoutes(context, webhooks),
                  (context, siteRoutes) ->
                      new FileLibraryRoutes(context, siteRoutes, fileLibrary, fileRecords, blobs, uploads),
                  (context, siteRoutes) -> new ExportRoutes(context, readApi),
                  (context, siteRoutes) ->
                      new StatisticsRoutes(
                          context, new Statistics(queryPool), new AgentActivity(queryPool), new SiteTimeZones(pool))),
              List.of(
                  new WidgetRoutes(sites, mailer.enabled(), origins).routes(),
                  new LeaveMessageRoutes(
                          sites,
                          mailer,
                          siteId ->
                              CompletableFuture.supplyAsync(
                                  () -> teamMail.of(siteId).flatMap(own -> own), blocking))
                      .routes(),
                  fileRoutes.routes(),
                  new TranscriptRoutes(
                          sites, tokens, sharding, deps.history(), mailer, edge.askTimeout())
                      .routes()));
      ServerBuilder server = Http.get(system).newServerAt(edge.host(), edge.port());
      if (tls.isPresent()) {
        server = server.enableHttps(tls.get().connectionContext());
      }
      ServerBinding binding =
          server
              .bindFlow(withHeaderTimeout(api.routes().flow(system), admissionSettings.headerTimeout()))
              .toCompletableFuture()
              .get(STARTUP_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
      int port = binding.localAddress().getPort();
      String scheme = tls.isPresent() ? "https" : "http";
      String publicUrl = edge.publicUrlOr(scheme, port);
      origins.addAll(localOrigins(publicUrl, scheme, edge.host(), port));
      binding.addToCoordinatedShutdown(Duration.ofSeconds(5), system);
      ServerTls.noteScheme(tls.isPresent(), edge.host(), publicUrl);
      Optional<ServerBinding> redirect = Optional.empty();
      if (tls.isPresent()) {
        tls.get().reloadEvery(system, blocking);
        redirect =
            HttpRedirect.startIfConfigured(
                system, edge.host(), tls.get().settings(), publicUrl, admissionSettings.headerTimeout());
      }

      Optional<FirstStart.Credentials> credentials =
          FirstStart.run(directory, List.copyOf(origins), clock);
      log.info("Parley serves {} (HTTP bound to {})", publicUrl, binding.localAddress());
      return new ParleyServer(system, binding, redirect, publicUrl, directory, credentials, hashing);
    } catch (Exception e) {
      system.terminate();
      throw new IllegalStateException("Parley could not start", e);
    }
  }

  /**
   * A connection that has not sent the headers of its first request within {@code timeout} is closed: clients that
   * trickle header lines would otherwise hold connections (and pekko-http's {@code max-connections}) forever.
   */
  private static Flow<HttpRequest, HttpResponse, NotUsed> withHeaderTimeout(
      Flow<HttpRequest, HttpResponse, NotUsed> handler, Duration timeout) {
    return Flow.<HttpRequest>create().initialTimeout(timeout).via(handler);
  }

  private static Set<String> localOrigins(String publicUrl, String scheme, String host, int port) {
    Set<String> origins = new LinkedHashSet<>();
    origins.add(EdgeSettings.originOf(publicUrl));
    origins.add(scheme + "://" + host + ":" + port);
    if (host.equals("127.0.0.1") || host.equals("localhost") || host.equals("0.0.0.0")) {
      origins.add(scheme + "://localhost:" + port);
      origins.add(scheme + "://127.0.0.1:" + port);
    }
    return origins;
  }

  public int port() {
    return binding.localAddress().getPort();
  }

  /** The port of the plain-HTTP listener that redirects to https, when TLS and a redirect port are configured. */
  public Optional<Integer> redirectPort() {
    return redirectBinding.map(b -> b.localAddress().getPort());
  }

  public String publicUrl() {
    return publicUrl;
  }

  public ActorSystem<Void> system() {
    return system;
  }

  public Directory directory() {
    return directory;
  }

  /** The password-hashing pool (tests count its work). */
  public PasswordHashing passwordHashing() {
    return hashing;
  }

  /** The admin credentials generated by this process's first start; empty when the data existed already. */
  public Optional<FirstStart.Credentials> firstStartCredentials() {
    return firstStartCredentials;
  }

  public CompletionStage<Done> stop() {
    return CoordinatedShutdown.get(system).runAll(CoordinatedShutdown.unknownReason())
        .thenCompose(done -> system.getWhenTerminated());
  }

  @Override
  public void close() {
    try {
      stop().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      log.warn("Parley did not stop cleanly: {}", e.toString());
    }
  }
}
