package dev.parley.edge.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;

/**
 * Signed, expiring tokens (JWT, HS256) for visitors and agents, and the short-lived challenges of two-step logins.
 *
 * <p>The signing key is a server secret shared by all nodes through the database. A visitor token names the site
 * and the visitor and lives long (the visitor keeps it in the browser and gets a fresh one on every connect); an
 * agent token names the account and lives a working day. The kind is part of the token, so one can never stand in
 * for another.
 *
 * <p>An agent token also carries the account's token version ({@code ver}: a token of another version is void,
 * which is how a password change or a disable ends every token at once), the time of the password login it
 * descends from ({@code auth_time}: renewals keep it, and no token lives past {@code maxSession} after it), and
 * its scope ({@code scp}: {@code enrol-2fa} for a member of a site that demands two-factor sign-in who has not set
 * it up yet). Every token has {@code nbf} and {@code exp}, both checked with the same small clock skew.
 */
public final class Tokens {

  private static final String ISSUER = "parley";
  private static final String KIND_CLAIM = "kind";
  private static final String SITE_CLAIM = "site";
  private static final String VERSION_CLAIM = "ver";
  private static final String AUTH_TIME_CLAIM = "auth_time";
  private static final String SCOPE_CLAIM = "scp";
  private static final String AGENT = "agent";
  private static final String CHALLENGE = "2fa-challenge";
  /** Tolerated difference between the clocks of the nodes (and of whoever issued a token): for exp and nbf. */
  static final Duration CLOCK_SKEW = Duration.ofSeconds(30);

  public record Issued(String token, Instant expiresAt) {}

  public record VisitorIdentity(String siteId, String visitorId) {}

  /** What an agent token may be used for. */
  public enum Scope {
    /** Everything the account's roles allow. */
    FULL("full"),
    /** Only setting up two-factor sign-in (and reading one's own account): a site demands it. */
    ENROL_TWO_FACTOR("enrol-2fa");

    private final String code;

    Scope(String code) {
      this.code = code;
    }

    public String code() {
      return code;
    }
  }

  /** The claims of a valid agent token. */
  public record AgentClaims(String accountId, long tokenVersion, Instant authTime, Scope scope) {}

  /** A password step passed for an account with two-factor sign-in; the code step completes it. */
  public record Challenge(String accountId, long tokenVersion, Instant authTime) {}

  /** Why a token was refused; the wire protocol's error codes {@code invalid-token} and {@code token-expired}. */
  public static final class Refused extends Exception {
    private final boolean expired;

    Refused(boolean expired, String message) {
      super(message, null, false, false);
      this.expired = expired;
    }

    public boolean expired() {
      return expired;
    }
  }

  private final MACSigner signer;
  private final MACVerifier verifier;
  private final Clock clock;
  private final Duration agentTtl;
  private final Duration visitorTtl;
  private final Duration maxSession;
  private final Duration challengeTtl;

  public Tokens(
      byte[] secret,
      Clock clock,
      Duration agentTtl,
      Duration visitorTtl,
      Duration maxSession,
      Duration challengeTtl) {
    try {
      this.signer = new MACSigner(secret);
      this.verifier = new MACVerifier(secret);
    } catch (JOSEException e) {
      throw new IllegalArgumentException("token secret must be at least 256 bits", e);
    }
    this.clock = clock;
    this.agentTtl = agentTtl;
    this.visitorTtl = visitorTtl;
    this.maxSession = maxSession;
    this.challengeTtl = challengeTtl;
  }

  /** With the defaults of application.conf for the session limit (7 days) and challenges (5 minutes). */
  public Tokens(byte[] secret, Clock clock, Duration agentTtl, Duration visitorTtl) {
    this(secret, clock, agentTtl, visitorTtl, Duration.ofDays(7), Duration.ofMinutes(5));
  }

  public Duration agentTtl() {
    return agentTtl;
  }

  /** Whether a token descending from a password login at {@code authTime} may still be renewed. */
  public boolean renewable(Instant authTime) {
    return clock.instant().isBefore(authTime.plus(maxSession));
  }

  /** An agent token; it expires after the agent TTL, or at the session limit if that comes first. */
  public Issued issueAgent(AgentClaims claims) {
    Instant now = clock.instant();
    Instant limit = claims.authTime().plus(maxSession);
    Duration ttl = Duration.between(now, limit).compareTo(agentTtl) < 0 ? Duration.between(now, limit) : agentTtl;
    return issue(
        new JWTClaimsSet.Builder()
            .subject(claims.accountId())
            .claim(KIND_CLAIM, AGENT)
            .claim(VERSION_CLAIM, claims.tokenVersion())
            .claim(AUTH_TIME_CLAIM, claims.authTime().getEpochSecond())
            .claim(SCOPE_CLAIM, claims.scope().code()),
        ttl.isNegative() ? Duration.ZERO : ttl);
  }

  public Issued issueChallenge(Challenge challenge) {
    return issue(
        new JWTClaimsSet.Builder()
            .subject(challenge.accountId())
            .claim(KIND_CLAIM, CHALLENGE)
            .claim(VERSION_CLAIM, challenge.tokenVersion())
            .claim(AUTH_TIME_CLAIM, challenge.authTime().getEpochSecond()),
        challengeTtl);
  }

  public Issued issueVisitor(String siteId, String visitorId) {
    return issue(
        new JWTClaimsSet.Builder()
            .subject(visitorId)
            .claim(KIND_CLAIM, "visitor")
            .claim(SITE_CLAIM, siteId),
        visitorTtl);
  }

  /** The claims of a valid agent token. */
  public AgentClaims verifyAgent(String token) throws Refused {
    JWTClaimsSet claims = verify(token, AGENT);
    Scope scope = null;
    Object code = claims.getClaim(SCOPE_CLAIM);
    for (Scope s : Scope.values()) {
      if (s.code().equals(code)) {
        scope = s;
      }
    }
    if (scope == null) {
      throw new Refused(false, "no scope");
    }
    return new AgentClaims(claims.getSubject(), version(claims), authTime(claims), scope);
  }

  public Challenge verifyChallenge(String token) throws Refused {
    JWTClaimsSet claims = verify(token, CHALLENGE);
    return new Challenge(claims.getSubject(), version(claims), authTime(claims));
  }

  /** The visitor of a valid visitor token issued for {@code expectedSiteId}. */
  public VisitorIdentity verifyVisitor(String token, String expectedSiteId) throws Refused {
    JWTClaimsSet claims = verify(token, "visitor");
    Object site = claims.getClaim(SITE_CLAIM);
    if (!(site instanceof String siteId) || !siteId.equals(expectedSiteId)) {
      throw new Refused(false, "the token belongs to another site");
    }
    return new VisitorIdentity(siteId, claims.getSubject());
  }

  private static long version(JWTClaimsSet claims) throws Refused {
    if (claims.getClaim(VERSION_CLAIM) instanceof Number n) {
      return n.longValue();
    }
    throw new Refused(false, "no token version");
  }

  private static Instant authTime(JWTClaimsSet claims) throws Refused {
    if (claims.getClaim(AUTH_TIME_CLAIM) instanceof Number n) {
      return Instant.ofEpochSecond(n.longValue());
    }
    throw new Refused(false, "no login time");
  }

  private Issued issue(JWTClaimsSet.Builder claims, Duration ttl) {
    Instant now = clock.instant();
    Instant expires = now.plus(ttl);
    SignedJWT jwt =
        new SignedJWT(
            new JWSHeader(JWSAlgorithm.HS256),
            claims
                .issuer(ISSUER)
                .issueTime(Date.from(now))
                .notBeforeTime(Date.from(now))
                .expirationTime(Date.from(expires))
                .build());
    try {
      jwt.sign(signer);
    } catch (JOSEException e) {
      throw new IllegalStateException("could not sign a token", e);
    }
    return new Issued(jwt.serialize(), expires);
  }

  private JWTClaimsSet verify(String token, String kind) throws Refused {
    if (token == null || token.isBlank() || token.length() > 4096) {
      throw new Refused(false, "no token");
    }
    try {
      SignedJWT jwt = SignedJWT.parse(token);
      if (!JWSAlgorithm.HS256.equals(jwt.getHeader().getAlgorithm()) || !jwt.verify(verifier)) {
        throw new Refused(false, "bad signature");
      }
      JWTClaimsSet claims = jwt.getJWTClaimsSet();
      if (!ISSUER.equals(claims.getIssuer())
          || !kind.equals(claims.getClaim(KIND_CLAIM))
          || claims.getSubject() == null
          || claims.getExpirationTime() == null) {
        throw new Refused(false, "not a " + kind + " token");
      }
      Instant now = clock.instant();
      if (claims.getNotBeforeTime() != null
          && claims.getNotBeforeTime().toInstant().minus(CLOCK_SKEW).isAfter(now)) {
        throw new Refused(false, "not valid yet");
      }
      if (claims.getExpirationTime().toInstant().plus(CLOCK_SKEW).isBefore(now)) {
        throw new Refused(true, "expired");
      }
      return claims;
    } catch (ParseException | JOSEException | IllegalStateException e) {
      throw new Refused(false, "malformed token");
    }
  }
}
