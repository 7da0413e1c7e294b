package dev.parley.edge.auth;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import java.time.Duration;
import java.util.Locale;

/**
 * Slows down password guessing: each user name and each client address has a bucket of failed logins that refills
 * slowly. While either is empty, logins for it are refused before the password is even checked. Successful logins
 * cost nothing. Buckets are kept in memory per node, bounded, and forgotten after half an hour without use.
 */
public final class LoginThrottle {

  /** Failed logins allowed for one user name, refilled over {@link #REFILL}. */
  public static final int FAILURES_PER_USER = 10;
  /** Failed logins allowed from one address (an office behind one NAT has many users). */
  public static final int FAILURES_PER_ADDRESS = 100;
  public static final Duration REFILL = Duration.ofMinutes(15);
  private static final int MAX_BUCKETS = 100_000;

  private final Cache<String, Bucket> buckets =
      Caffeine.newBuilder().maximumSize(MAX_BUCKETS).expireAfterAccess(Duration.ofMinutes(30)).build();

  /** True if a login for {@code username} from {@code address} may be tried now. */
  public boolean allows(String username, String address) {
    return user(username).getAvailableTokens() > 0 && address(address).getAvailableTokens() > 0;
  }

  /** Counts a failed login against both buckets. */
  public void failed(String username, String address) {
    user(username).tryConsume(1);
    address(address).tryConsume(1);
  }

  private Bucket user(String username) {
    return buckets.get("u:" + username.toLowerCase(Locale.ROOT), key -> bucket(FAILURES_PER_USER));
  }

  private Bucket address(String address) {
    return buckets.get("a:" + address, key -> bucket(FAILURES_PER_ADDRESS));
  }

  private static Bucket bucket(int capacity) {
    return Bucket.builder()
        .addLimit(Bandwidth.builder().capacity(capacity).refillGreedy(capacity, REFILL).build())
        .build();
  }
}
