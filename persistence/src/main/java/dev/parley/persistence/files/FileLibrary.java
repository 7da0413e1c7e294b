package dev.parley.persistence.files;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * A site's library of common files (table {@code file_library}): each entry names a complete upload that an admin
 * made through the ordinary, checked upload path. The upload is marked as the library's ({@link #OWNER_MARK}) in
 * the same transaction, so it can be neither sent by its upload id nor erased with a conversation. Blocking JDBC.
 */
public final class FileLibrary {

  /** At most this many entries per site (the list is read whole by agents and the console). */
  public static final int MAX_PER_SITE = 500;

  /** The value of {@code file_upload.conversation_id} that marks an upload as a library entry's. */
  public static String ownerMark(UUID entryId) {
    return "library:" + entryId;
  }

  /** Prefix of {@link #ownerMark}. */
  public static final String OWNER_MARK = "library:";

  /** An entry with what agents need to show it. */
  public record Entry(
      UUID id, String siteId, UUID fileId, String name, long size, String mediaType, Integer width, Integer height,
      boolean hasThumbnail, String createdBy, Instant createdAt) {}

  /** The answer to {@link #add}. */
  public sealed interface Added {}

  public record Created(Entry entry, boolean repeated) implements Added {}

  /** The upload is not the adder's complete upload of this site, or it was sent to a conversation already. */
  public record NotAvailable(String reason) implements Added {}

  public record Full() implements Added {}

  private static final String SELECT =
      "SELECT l.id, l.site_id, l.file_id, l.name, u.total_bytes, u.media_type, u.width, u.height, u.has_thumbnail,"
          + " l.created_by, l.created_at FROM file_library l JOIN file_upload u ON u.file_id = l.file_id";

  private final DataSource dataSource;

  public FileLibrary(DataSource dataSource) {
    this.dataSource = dataSource;
  }

  /**
   * Makes the complete upload {@code uploadId} of agent {@code accountId} at {@code siteId} a library entry called
   * {@code name} (null: the upload's name). Idempotent: adding the same upload again answers the same entry.
   */
  public Added add(String siteId, String accountId, String uploadId, String name, Instant now) {
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      try {
        UUID fileId;
        String state;
        String conversation;
        String uploadName;
        try (PreparedStatement ps =
            c.prepareStatement(
                "SELECT file_id, state, conversation_id, name FROM file_upload WHERE site_id = ?"
                    + " AND owner_role = 'agent' AND owner_id = ? AND upload_id = ? FOR UPDATE")) {
          ps.setString(1, siteId);
          ps.setString(2, accountId);
          ps.setString(3, uploadId);
          try (ResultSet rs = ps.executeQuery()) {
            if (!rs.next()) {
              c.rollback();
              return new NotAvailable("no upload of yours at this site has this id");
            }
            fileId = (UUID) rs.getObject(1);
            state = rs.getString(2);
            conversation = rs.getString(3);
            uploadName = rs.getString(4);
          }
        }
        if (!"complete".equals(state)) {
          c.rollback();
          return new NotAvailable("the upload is not complete (or was refused)");
        }
        if (conversation != null) {
          Optional<Entry> existing = byFile(c, fileId);
          c.rollback();
          return existing.<Added>map(e -> new Created(e, true))
              .orElseGet(() -> new NotAvailable("this upload was sent to a conversation; upload it again"));
        }
        try (PreparedStatement lock = c.prepareStatement("SELECT pg_advisory_xact_lock(hashtext(?))")) {
          lock.setString(1, "file-library:" + siteId);
          lock.execute();
        }
        if (count(c, siteId) >= MAX_PER_SITE) {
          c.rollback();
          return new Full();
        }
        UUID id = UUID.randomUUID();
        try (PreparedStatement ps =
                c.prepareStatement(
                    "INSERT INTO file_library (id, site_id, file_id, name, created_by, created_at)"
                        + " VALUES (?, ?, ?, ?, ?, ?)");
            PreparedStatement mark =
                c.prepareStatement("UPDATE file_upload SET conversation_id = ? WHERE file_id = ?")) {
          ps.setObject(1, id);
          ps.setString(2, siteId);
          ps.setObject(3, fileId);
          ps.setString(4, name == null ? uploadName : name);
          ps.setString(5, accountId);
          ps.setTimestamp(6, Timestamp.from(now));
          ps.executeUpdate();
          mark.setString(1, ownerMark(id));
          mark.setObject(2, fileId);
          mark.executeUpdate();
        }
        Entry entry = byFile(c, fileId).orElseThrow();
        c.commit();
        return new Created(entry, false);
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      }
    } catch (SQLException e) {
      throw new IllegalStateException("could not add to the file library of " + siteId, e);
    }
  }

  /** The site's entries, by name. */
  public List<Entry> list(String siteId) {
    return query(SELECT + " WHERE l.site_id = ? ORDER BY lower(l.name), l.created_at", siteId);
  }

  /** The entry {@code id} if it belongs to one of {@code siteIds}. */
  public Optional<Entry> find(UUID id, Collection<String> siteIds) {
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps = c.prepareStatement(SELECT + " WHERE l.id = ? AND l.site_id = ANY(?)")) {
      ps.setObject(1, id);
      ps.setArray(2, c.createArrayOf("varchar", siteIds.toArray()));
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? Optional.of(read(rs)) : Optional.empty();
      }
    } catch (SQLException e) {
      throw new IllegalStateException("could not read the file library", e);
    }
  }

  /** Renames an entry of the site; false when there is none. Files already sent keep the name they were sent with. */
  public boolean rename(String siteId, UUID id, String name) {
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps = c.prepareStatement("UPDATE file_library SET name = ? WHERE id = ? AND site_id = ?")) {
      ps.setString(1, name);
      ps.setObject(2, id);
      ps.setString(3, siteId);
      return ps.executeUpdate() == 1;
    } catch (SQLException e) {
      throw new IllegalStateException("could not rename a library file", e);
    }
  }

  /**
   * Removes the entry (not its upload: the caller erases that, blobs first, so that a removal cut short leaves an
   * upload marked as the library's that {@link #orphans} finds). Empty when there is no such entry.
   */
  public Optional<Entry> remove(String siteId, UUID id) {
    try (Connection c = dataSource.getConnection()) {
      Optional<Entry> entry;
      try (PreparedStatement ps = c.prepareStatement(SELECT + " WHERE l.id = ? AND l.site_id = ?")) {
        ps.setObject(1, id);
        ps.setString(2, siteId);
        try (ResultSet rs = ps.executeQuery()) {
          entry = rs.next() ? Optional.of(read(rs)) : Optional.empty();
        }
      }
      if (entry.isPresent()) {
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM file_library WHERE id = ?")) {
          ps.setObject(1, id);
          ps.executeUpdate();
        }
      }
      return entry;
    } catch (SQLException e) {
      throw new IllegalStateException("could not remove a library file", e);
    }
  }

  /** Uploads of the site marked as the library's whose entry is gone (a removal cut short): to be erased. */
  public List<UUID> orphans(String siteId) {
    List<UUID> found = new ArrayList<>();
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "SELECT u.file_id FROM file_upload u WHERE u.site_id = ? AND u.conversation_id LIKE 'library:%'"
                    + " AND NOT EXISTS (SELECT 1 FROM file_library l WHERE l.file_id = u.file_id)")) {
      ps.setString(1, siteId);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          found.add((UUID) rs.getObject(1));
        }
      }
      return found;
    } catch (SQLException e) {
      throw new IllegalStateException("could not read the file library", e);
    }
  }

  private static int count(Connection c, String siteId) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM file_library WHERE site_id = ?")) {
      ps.setString(1, siteId);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getInt(1);
      }
    }
  }

  private static Optional<Entry> byFile(Connection c, UUID fileId) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(SELECT + " WHERE l.file_id = ?")) {
      ps.setObject(1, fileId);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? Optional.of(read(rs)) : Optional.empty();
      }
    }
  }

  private List<Entry> query(String sql, Object parameter) {
    List<Entry> found = new ArrayList<>();
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setObject(1, parameter);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          found.add(read(rs));
        }
      }
      return found;
    } catch (SQLException e) {
      throw new IllegalStateException("could not read the file library", e);
    }
  }

  private static Entry read(ResultSet rs) throws SQLException {
    return new Entry(
        (UUID) rs.getObject(1), rs.getString(2), (UUID) rs.getObject(3), rs.getString(4), rs.getLong(5),
        rs.getString(6), (Integer) rs.getObject(7), (Integer) rs.getObject(8), rs.getBoolean(9), rs.getString(10),
        rs.getTimestamp(11).toInstant());
  }
}
