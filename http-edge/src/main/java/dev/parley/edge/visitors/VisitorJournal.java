package dev.parley.edge.visitors;

import dev.parley.core.visitor.Visitor;
import java.time.Clock;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;

/** Records invitations in the invited visitor's journal (the {@code Visitor} entity), fire and forget. */
public record VisitorJournal(ClusterSharding sharding, Clock clock) implements VisitorsNow.InvitationJournal {

  @Override
  public void record(Invitation invitation, String outcome, String conversationId) {
    Visitor.Event event =
        outcome == null
            ? new Visitor.InvitationSent(
                invitation.invitationId(), invitation.agentId(), invitation.text(), invitation.at(),
                invitation.automatic(), invitation.ruleId())
            : new Visitor.InvitationAnswered(
                invitation.invitationId(), invitation.agentId(), outcome, conversationId, clock.instant());
    sharding
        .entityRefFor(Visitor.ENTITY_KEY, Visitor.entityId(invitation.siteId(), invitation.visitorId()))
        .tell(new Visitor.RecordInvitation(event));
  }
}
