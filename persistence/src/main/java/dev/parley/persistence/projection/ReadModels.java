package dev.parley.persistence.projection;

import dev.parley.persistence.audit.AuditModel;
import dev.parley.persistence.readmodel.AgentActivityModel;
import dev.parley.persistence.readmodel.ConversationsModel;
import dev.parley.persistence.readmodel.InvitationsModel;
import dev.parley.persistence.readmodel.MessagesModel;
import dev.parley.persistence.readmodel.VisitorsModel;
import dev.parley.persistence.webhook.WebhookModel;
import dev.parley.persistence.search.TextAnalyzer;
import java.util.List;
import java.util.Optional;

/** Every read model a node runs: add a new one here (and its migration); see {@link ReadModel}. */
public final class ReadModels {

  private ReadModels() {}

  public static List<ReadModel> all(TextAnalyzer analyzer) {
    return List.of(
        new ConversationsModel(), new MessagesModel(analyzer), new VisitorsModel(), new AgentActivityModel(),
        new AuditModel(), new WebhookModel(), new InvitationsModel());
  }

  public static Optional<ReadModel> named(String name, TextAnalyzer analyzer) {
    return all(analyzer).stream().filter(m -> m.name().equals(name)).findFirst();
  }
}
