package dev.parley.edge.auth;

import dev.parley.core.agent.Agent;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import org.apache.pekko.Done;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ends an account's live connections on every node, after its token version was bumped in the database: the
 * account's sharded {@link Agent} entity knows them all and persists the new minimum version, so connections that
 * register later with an old token are ended too. Asked, not told: the caller learns whether it happened, and a
 * lost message is retried.
 */
public final class Revocations {

  private static final Logger log = LoggerFactory.getLogger(Revocations.class);
  /** Attempts to reach the agent entity before the change is reported as not fully applied. */
  static final int MAX_ATTEMPTS = 3;

  /** The connections could not be ended (the database change stands; tokens are refused anyway). */
  public static final class NotEnded extends RuntimeException {
    NotEnded(String accountId, Throwable cause) {
      super("live connections of account " + accountId + " could not be ended", cause, false, false);
    }
  }

  private final ClusterSharding sharding;
  private final Duration askTimeout;
  private final Executor executor;

  public Revocations(ClusterSharding sharding, Duration askTimeout, Executor executor) {
    this.sharding = sharding;
    this.askTimeout = askTimeout;
    this.executor = executor;
  }

  /** Ends every connection of the account that authenticated with a token version below {@code minTokenVersion}. */
  public CompletionStage<Done> endSessions(String accountId, long minTokenVersion) {
    return attempt(accountId, minTokenVersion, 1);
  }

  private CompletionStage<Done> attempt(String accountId, long minTokenVersion, int attempt) {
    return sharding
        .entityRefFor(Agent.ENTITY_KEY, accountId)
        .<Done>askWithStatus(replyTo -> new Agent.EndSessions(minTokenVersion, replyTo), askTimeout)
        .handleAsync(
            (done, failure) -> {
              if (failure == null) {
                return CompletableFuture.completedFuture(done);
              }
              if (attempt < MAX_ATTEMPTS) {
                log.warn("Ending the sessions of account {} failed (attempt {}): {}", accountId, attempt, failure.toString());
                return attempt(accountId, minTokenVersion, attempt + 1);
              }
              log.error("Could not end the sessions of account {}", accountId, failure);
              return CompletableFuture.<Done>failedFuture(new NotEnded(accountId, failure));
            },
            executor)
        .thenComposeAsync(stage -> stage, executor);
  }
}
