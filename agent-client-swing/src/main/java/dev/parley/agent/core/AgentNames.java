package dev.parley.agent.core;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Other agents' display names, for timelines that know authors only by account id (protocol §4 {@code author}).
 * Asked once per id of {@code GET /widget/agent} on each of the agent's sites in turn, on its own thread
 * ({@code parley-names}), never the network or Swing thread. Until a name is known, or when no site knows the id,
 * the caller shows a stand-in. Bounded: {@value #MAX_NAMES} names held, {@value #MAX_QUEUED} lookups waiting.
 */
final class AgentNames implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(AgentNames.class);
  static final int MAX_NAMES = 2_000;
  static final int MAX_QUEUED = 100;

  private final AuthApi auth;
  private final Runnable onChange;
  private final ThreadPoolExecutor lookups;
  // Guarded by this: id → name; an id with no name known (asked, nobody answered) is not here and not asked again.
  private final Map<String, String> names =
      new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, String> eldest) {
          return size() > MAX_NAMES;
        }
      };
  private final Set<String> asked = ConcurrentHashMap.newKeySet();

  AgentNames(AuthApi auth, Runnable onChange) {
    this.auth = auth;
    this.onChange = onChange;
    this.lookups =
        new ThreadPoolExecutor(
            1, 1, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(MAX_QUEUED),
            r -> {
              Thread t = new Thread(r, "parley-names");
              t.setDaemon(true);
              return t;
            },
            new ThreadPoolExecutor.DiscardPolicy());
  }

  /** The name known for {@code agentId}, or null. Any thread. */
  synchronized String name(String agentId) {
    return agentId == null ? null : names.get(agentId);
  }

  /** A name read elsewhere (the transfer dialog's lookups). */
  void put(String agentId, String name) {
    synchronized (this) {
      names.put(agentId, name);
    }
    asked.add(agentId);
    onChange.run();
  }

  /** Any thread: looks {@code agentId} up on {@code sites} (first answer wins) unless asked before. */
  void want(String agentId, List<String> sites) {
    if (agentId == null || sites.isEmpty() || asked.size() >= MAX_NAMES || !asked.add(agentId)) {
      return;
    }
    try {
      lookups.execute(() -> lookUp(agentId, sites));
    } catch (RejectedExecutionException closing) {
      asked.remove(agentId);
    }
  }

  private void lookUp(String agentId, List<String> sites) {
    for (String site : sites) {
      try {
        String name = auth.agentName(site, agentId);
        if (name != null && !name.isBlank()) {
          synchronized (this) {
            names.put(agentId, name);
          }
          onChange.run();
          return;
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (Exception e) {
        LOG.debug("name of agent {} not read from site {}: {}", agentId, site, e.toString());
        asked.remove(agentId); // a failure (not a 404) may pass: ask again next time the id shows up
        return;
      }
    }
  }

  @Override
  public void close() {
    lookups.shutdownNow();
  }
}
