package dev.parley.agent.core;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the team quick replies of the agent's sites over HTTP into the {@link Workspace}, on its own thread
 * ({@code parley-api}) so that a slow answer never holds up frames or pings. A site that cannot be read keeps the
 * replies held for it until the next read.
 */
final class TeamQuickRepliesReader implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(TeamQuickRepliesReader.class);

  /** A read waiting behind a running one is enough: a newer request replaces it. */
  static final int MAX_QUEUED_REFRESHES = 1;

  private final AuthApi auth;
  private final Workspace workspace;
  private final ThreadPoolExecutor api;

  TeamQuickRepliesReader(AuthApi auth, Workspace workspace) {
    this.auth = auth;
    this.workspace = workspace;
    this.api =
        new ThreadPoolExecutor(
            1, 1, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(MAX_QUEUED_REFRESHES),
            r -> {
              Thread t = new Thread(r, "parley-api");
              t.setDaemon(true);
              return t;
            },
            new ThreadPoolExecutor.DiscardOldestPolicy());
  }

  /** Any thread: hands one read of every site's team replies to the api thread. */
  void refresh(String token, List<String> siteIds) {
    try {
      api.execute(() -> read(token, siteIds));
    } catch (RejectedExecutionException closing) {
      LOG.debug("team quick replies not read: the client is closing");
    }
  }

  private void read(String token, List<String> siteIds) {
    List<QuickReplies.Reply> held = workspace.teamQuickReplies();
    List<QuickReplies.Reply> all = new ArrayList<>();
    for (String siteId : siteIds) {
      try {
        all.addAll(auth.teamQuickReplies(token, siteId));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (Exception e) {
        LOG.warn("team quick replies of site {} not read, keeping the last ones: {}", siteId,
            e instanceof AuthApi.Refused refused ? refused.code() : e.toString());
        held.stream().filter(r -> siteId.equals(r.siteId())).forEach(all::add);
      }
    }
    workspace.teamQuickReplies(all);
  }

  @Override
  public void close() {
    api.shutdownNow();
  }
}
