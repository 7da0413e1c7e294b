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
 * Signed, expiring tokens (JWT, HS256) for visitors and agents.
 *
 * <p>The signing key is a server secret shared by all nodes through the database. A visitor token names the site
 * and the visitor and lives long (the visitor keeps it in the browser and gets a fresh one on every connect); an
 * agent token names the account and lives a working day. The kind is part of the token, so one can never stand in
 * for the other.
 */
public final class Tokens {

  private static final String ISSUER = "parley";
  private static final String KIND_CLAIM = "kind";
  private static final String SITE_CLAIM = "site";
  private static final Duration CLOCK_SKEW = Duration.ofSeconds(30);

  public record Issued(String token, Instant expiresAt) {}

  public record VisitorIdentity(String siteId, String visitorId) {}

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

  public Tokens(byte[] secret, Clock clock, Duration agentTtl, Duration visitorTtl) {
    try {
      this.signer = new MACSigner(secret);
      this.verifier = new MACVerifier(secret);
    } catch (JOSEException e) {
      throw new IllegalArgumentException("token secret must be at least 256 bits", e);
    }
    this.clock = clock;
    this.agentTtl = agentTtl;
    this.visitorTtl = visitorTtl;
  }

  public Duration agentTtl() {
    return agentTtl;
  }

  public Issued issueAgent(String accountId) {
    return issue(new JWTClaimsSet.Builder().subject(accountId).claim(KIND_CLAIM, "agent"), agentTtl);
  }

  public Issued issueVisitor(String siteId, String visitorId) {
    return issue(
        new JWTClaimsSet.Builder()
            .subject(visitorId)
            .claim(KIND_CLAIM, "visitor")
            .claim(SITE_CLAIM, siteId),
        visitorTtl);
  }

  /** The account id of a valid agent token. */
  public String verifyAgent(String token) throws Refused {
    JWTClaimsSet claims = verify(token, "agent");
    return claims.getSubject();
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

  private Issued issue(JWTClaimsSet.Builder claims, Duration ttl) {
    Instant now = clock.instant();
    Instant expires = now.plus(ttl);
    SignedJWT jwt =
        new SignedJWT(
            new JWSHeader(JWSAlgorithm.HS256),
            claims.issuer(ISSUER).issueTime(Date.from(now)).expirationTime(Date.from(expires)).build());
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
      if (claims.getExpirationTime().toInstant().plus(CLOCK_SKEW).isBefore(clock.instant())) {
        throw new Refused(true, "expired");
      }
      return claims;
    } catch (ParseException | JOSEException | IllegalStateException e) {
      throw new Refused(false, "malformed token");
    }
  }
}
