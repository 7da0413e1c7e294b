package dev.parley.persistence.readmodel;

import static dev.parley.persistence.readmodel.ConversationsModel.ts;

import dev.parley.core.visitor.Identity;
import dev.parley.core.visitor.Visitor;
import dev.parley.persistence.projection.ReadModel;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;

/**
 * Who each visitor is, as far as the host site told ({@code read_visitors}), from Visitor events: the identity's
 * user id, name and e-mail and whether they were signed. The conversation list joins it, so a visitor's identity
 * lives in one row, and {@link Visitor.Erased} empties that row.
 */
public final class VisitorsModel implements ReadModel {

  public static final String NAME = "visitors";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public String entityType() {
    return Visitor.ENTITY_KEY.name();
  }

  @Override
  public List<String> tables() {
    return List.of("read_visitors");
  }

  @Override
  public void apply(Connection c, String entityId, long sequenceNr, Object event) throws SQLException {
    int colon = entityId.indexOf(':');
    String siteId = entityId.substring(0, colon);
    String visitorId = entityId.substring(colon + 1);
    if (event instanceof Visitor.Identified i) {
      Identity identity = i.identity();
      try (PreparedStatement s =
          c.prepareStatement(
              "INSERT INTO read_visitors (site_id, visitor_id, user_id, name, email, verified, identified_at)"
                  + " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (site_id, visitor_id) DO UPDATE SET"
                  + " user_id = EXCLUDED.user_id, name = EXCLUDED.name, email = EXCLUDED.email,"
                  + " verified = EXCLUDED.verified, identified_at = EXCLUDED.identified_at")) {
        s.setString(1, siteId);
        s.setString(2, visitorId);
        s.setString(3, blankToNull(identity == null ? null : identity.userId()));
        s.setString(4, blankToNull(identity == null ? null : identity.name()));
        s.setString(5, blankToNull(identity == null ? null : identity.email()));
        s.setBoolean(6, identity != null && identity.verified());
        s.setTimestamp(7, ts(i.at()));
        s.executeUpdate();
      }
    } else if (event instanceof Visitor.Erased e) {
      try (PreparedStatement s =
          c.prepareStatement(
              "INSERT INTO read_visitors (site_id, visitor_id, erased_at) VALUES (?, ?, ?)"
                  + " ON CONFLICT (site_id, visitor_id) DO UPDATE SET user_id = NULL, name = NULL, email = NULL,"
                  + " verified = FALSE, identified_at = NULL, erased_at = EXCLUDED.erased_at")) {
        s.setString(1, siteId);
        s.setString(2, visitorId);
        s.setTimestamp(3, ts(e.at()));
        s.executeUpdate();
      }
    }
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s;
  }
}
