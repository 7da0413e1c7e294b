package db.migration;

import dev.parley.persistence.projection.TagBackfill;
import org.flywaydb.core.api.migration.BaseJavaMigration;
import org.flywaydb.core.api.migration.Context;

/**
 * Tags every event of a journal written before the entities tagged theirs (issue 11), so that the read models are
 * projected from the whole history. Computes the same tag the entities give ({@code EventTags}).
 */
public class V21__Tag_untagged_events extends BaseJavaMigration {

  @Override
  public void migrate(Context context) throws Exception {
    TagBackfill.run(context.getConnection());
  }
}
