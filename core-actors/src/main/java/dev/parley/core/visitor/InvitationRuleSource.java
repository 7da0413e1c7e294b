package dev.parley.core.visitor;

import java.util.List;
import java.util.concurrent.CompletionStage;

/** Where a site's automatic invitation rules are read from (persistence implements it; the core knows no SQL). */
@FunctionalInterface
public interface InvitationRuleSource {

  /** The site's rules by position (none when it has none); completes off the caller's thread. */
  CompletionStage<List<InvitationRule>> load(String siteId);

  InvitationRuleSource NONE = siteId -> java.util.concurrent.CompletableFuture.completedFuture(List.of());
}
