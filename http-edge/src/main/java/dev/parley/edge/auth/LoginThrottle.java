package dev.parley.edge.auth;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Slows down password and code guessing. A guess <em>reserves</em> a failure in each of its buckets before the
 * password is hashed, and a correct one gets it back: so 60 parallel guesses for one name cost 60 reservations, of
 * which only as many as the bucket holds are ever checked; the rest are refused at once, unhashed.
 *
 * <p>Login buckets are per (user name, client address) and per client address, never per name alone: failures
 * from another address cannot lock anyone out of their own address (a distributed guesser is left to Argon2id's
 * cost and to two-factor sign-in; docs/SECURITY.md). An address has a bigger bucket, for offices behind one NAT.
 * Buckets refill slowly, live in memory per node, bounded, and are forgotten after half an hour without use.
 */
public final class LoginThrottle {

  /** Failed logins allowed for one user name from one address, refilled over {@link #REFILL}. */
  public static final int FAILURES_PER_NAME_AND_ADDRESS = 10;
  /** Failed logins allowed from one address, whatever the names. */
  public static final int FAILURES_PER_ADDRESS = 100;
  /** Wrong current passwords or second-factor codes allowed per account. */
  public static final int FAILURES_PER_ACCOUNT = 10;
  public static final Duration REFILL = Duration.ofMinutes(15);
  private static final int MAX_BUCKETS = 100_000;

  private final Cache<String, Bucket> buckets =
      Caffeine.newBuilder().maximumSize(MAX_BUCKETS).expireAfterAccess(Duration.ofMinutes(30)).build();

  /** The outcome of a reservation: either reserved (give it back on success) or refused for a while. */
  public sealed interface Reservation {}

  /** One failure reserved in each bucket; {@link #refund()} when the guess was right. */
  public static final class Reserved implements Reservation {
    private final List<Bucket> taken;

    Reserved(List<Bucket> taken) {
      this.taken = taken;
    }

    public void refund() {
      taken.forEach(b -> b.addTokens(1));
    }
  }

  /** A bucket is empty: refused before any hashing; retry after {@code retryAfterSeconds}. */
  public record Refused(long retryAfterSeconds) implements Reservation {}

  /** Reserves a failed login for {@code username} (as typed) from {@code address}. */
  public Reservation reserveLogin(String username, String address) {
    return reserve(
        bucket("na:" + Usernames.throttleKey(username) + "|" + address, FAILURES_PER_NAME_AND_ADDRESS),
        bucket("a:" + address, FAILURES_PER_ADDRESS));
  }

  /** Reserves a wrong current password (password change, disabling two-factor sign-in) of a signed-in account. */
  public Reservation reservePassword(String accountId) {
    return reserve(bucket("pw:" + accountId, FAILURES_PER_ACCOUNT));
  }

  /** Reserves a wrong second-factor code for an account, from an address. */
  public Reservation reserveCode(String accountId, String address) {
    return reserve(bucket("2fa:" + accountId, FAILURES_PER_ACCOUNT), bucket("a:" + address, FAILURES_PER_ADDRESS));
  }

  private static Reservation reserve(Bucket... wanted) {
    List<Bucket> taken = new ArrayList<>();
    for (Bucket bucket : wanted) {
      ConsumptionProbe probe = bucket.tryConsumeAndReturnRemaining(1);
      if (!probe.isConsumed()) {
        taken.forEach(b -> b.addTokens(1));
        long seconds = Math.max(1, Duration.ofNanos(probe.getNanosToWaitForRefill()).toSeconds() + 1);
        return new Refused(seconds);
      }
      taken.add(bucket);
    }
    return new Reserved(List.copyOf(taken));
  }

  private Bucket bucket(String key, int capacity) {
    return buckets.get(key, k -> newBucket(capacity));
  }

  private static Bucket newBucket(int capacity) {
    return Bucket.builder()
        .addLimit(Bandwidth.builder().capacity(capacity).refillGreedy(capacity, REFILL).build())
        .build();
  }
}
