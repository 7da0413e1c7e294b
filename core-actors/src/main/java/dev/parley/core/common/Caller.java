package dev.parley.core.common;

import dev.parley.core.serialization.CborSerializable;
import java.util.Objects;
import java.util.Set;

/**
 * An authenticated party issuing a command, with the sites it belongs to.
 *
 * <p>The edge builds a caller from a verified token; entities decide from it whether a command is allowed, so
 * tenant isolation is a rule of the domain and not of the HTTP layer. A visitor belongs to exactly one site; an
 * agent to every site where the account is a member.
 */
public record Caller(Participant participant, Set<String> siteIds) implements CborSerializable {

  public Caller {
    Objects.requireNonNull(participant, "participant");
    siteIds = Set.copyOf(siteIds);
  }

  public static Caller visitor(String siteId, String visitorId) {
    return new Caller(Participant.visitor(visitorId), Set.of(siteId));
  }

  public static Caller agent(String accountId, Set<String> siteIds) {
    return new Caller(Participant.agent(accountId), siteIds);
  }

  public boolean isVisitor() {
    return participant.role() == Participant.Role.VISITOR;
  }

  public boolean isAgent() {
    return participant.role() == Participant.Role.AGENT;
  }

  public String id() {
    return participant.id();
  }

  public boolean belongsTo(String siteId) {
    return siteIds.contains(siteId);
  }
}
