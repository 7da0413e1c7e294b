package dev.parley.persistence.files;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * What each upload is and how far it got (table {@code file_upload}), its chunks while it is still receiving
 * ({@code file_upload_part}), and each site's own file limits ({@code site_file_policy}). The bytes are in the blob
 * store; these rows are the truth about them. Blocking JDBC: call from the blocking pool.
 */
public final class FileRecords {

  /** An upload as stored. {@code state}: receiving, complete or refused. */
  public record Upload(
      UUID fileId, String siteId, String ownerRole, String ownerId, String uploadId, String name, long totalBytes,
      long receivedBytes, String state, String refusal, String mediaType, String sha256, Integer width,
      Integer height, boolean hasThumbnail, String conversationId, Instant createdAt, Instant completedAt) {

    public boolean complete() {
      return "complete".equals(state);
    }

    public boolean refused() {
      return "refused".equals(state);
    }
  }

  /** A chunk received: bytes {@code first} to {@code first + length - 1}. */
  public record Part(long first, long length) {}

  /** A site's own limits; a null field means the server's default. */
  public record SitePolicy(Long maxFileBytes, Long quotaBytes, List<String> allowedTypes) {}

  /** The answer to {@link #start}: the upload (new or found again), or the quota it would pass. */
  public sealed interface Started {}

  public record Found(Upload upload) implements Started {}

  public record OverQuota(long usedBytes, long quotaBytes) implements Started {}

  /** The blob of a file's bytes, once assembled. */
  public static String fileKey(UUID fileId) {
    return "files/" + fileId;
  }

  /** The blob of an image's thumbnail. */
  public static String thumbKey(UUID fileId) {
    return "thumbs/" + fileId;
  }

  /** The blob of a chunk of an upload still receiving. */
  public static String partKey(UUID fileId, long first) {
    return "parts/" + fileId + "/" + first;
  }

  private static final String COLUMNS =
      "file_id, site_id, owner_role, owner_id, upload_id, name, total_bytes, received_bytes, state, refusal,"
          + " media_type, sha256, width, height, has_thumbnail, conversation_id, created_at, completed_at";

  private final DataSource dataSource;

  public FileRecords(DataSource dataSource) {
    this.dataSource = dataSource;
  }

  /**
   * The uploader's upload {@code uploadId}, created if it is new and the site's quota ({@code quotaBytes}, counting
   * every upload not refused, finished or not) leaves room for {@code totalBytes}. Quota checks of one site are
   * serialized (an advisory lock), so two uploads at once cannot both take the last room.
   */
  public Started start(
      String siteId, String ownerRole, String ownerId, String uploadId, String name, long totalBytes,
      long quotaBytes, Instant now) {
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      try {
        Optional<Upload> existing = find(c, siteId, ownerRole, ownerId, uploadId);
        if (existing.isPresent()) {
          c.commit();
          return new Found(existing.get());
        }
        try (PreparedStatement lock = c.prepareStatement("SELECT pg_advisory_xact_lock(hashtext(?))")) {
          lock.setString(1, "file-quota:" + siteId);
          lock.execute();
        }
        long used = usage(c, siteId);
        if (used + totalBytes > quotaBytes) {
          c.rollback();
          return new OverQuota(used, quotaBytes);
        }
        try (PreparedStatement ps =
            c.prepareStatement(
                "INSERT INTO file_upload (file_id, site_id, owner_role, owner_id, upload_id, name, total_bytes,"
                    + " state, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, 'receiving', ?)"
                    + " ON CONFLICT (site_id, owner_role, owner_id, upload_id) DO NOTHING")) {
          ps.setObject(1, UUID.randomUUID());
          ps.setString(2, siteId);
          ps.setString(3, ownerRole);
          ps.setString(4, ownerId);
          ps.setString(5, uploadId);
          ps.setString(6, name);
          ps.setLong(7, totalBytes);
          ps.setTimestamp(8, Timestamp.from(now));
          ps.executeUpdate();
        }
        Upload upload = find(c, siteId, ownerRole, ownerId, uploadId).orElseThrow();
        c.commit();
        return new Found(upload);
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      }
    } catch (SQLException e) {
      throw new IllegalStateException("could not start an upload of site " + siteId, e);
    }
  }

  public Optional<Upload> byUpload(String siteId, String ownerRole, String ownerId, String uploadId) {
    try (Connection c = dataSource.getConnection()) {
      return find(c, siteId, ownerRole, ownerId, uploadId);
    } catch (SQLException e) {
      throw new IllegalStateException("could not read an upload", e);
    }
  }

  /**
   * The uploader's upload {@code uploadId} in any of {@code siteIds} (an agent working for several sites), the
   * oldest if the id was used in more than one.
   */
  public Optional<Upload> byUploadInSites(
      java.util.Collection<String> siteIds, String ownerRole, String ownerId, String uploadId) {
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "SELECT " + COLUMNS + " FROM file_upload WHERE site_id = ANY(?) AND owner_role = ? AND owner_id = ?"
                    + " AND upload_id = ? ORDER BY created_at LIMIT 1")) {
      ps.setArray(1, c.createArrayOf("varchar", siteIds.toArray()));
      ps.setString(2, ownerRole);
      ps.setString(3, ownerId);
      ps.setString(4, uploadId);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? Optional.of(read(rs)) : Optional.empty();
      }
    } catch (SQLException e) {
      throw new IllegalStateException("could not read an upload", e);
    }
  }

  public Optional<Upload> byFile(UUID fileId) {
    List<Upload> found = query("SELECT " + COLUMNS + " FROM file_upload WHERE file_id = ?", fileId);
    return found.stream().findFirst();
  }

  /** Every upload of one uploader at a site (a visitor's, when the visitor is erased). */
  public List<Upload> ofOwner(String siteId, String ownerRole, String ownerId) {
    List<Upload> found = new ArrayList<>();
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "SELECT " + COLUMNS + " FROM file_upload WHERE site_id = ? AND owner_role = ? AND owner_id = ?")) {
      ps.setString(1, siteId);
      ps.setString(2, ownerRole);
      ps.setString(3, ownerId);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          found.add(read(rs));
        }
      }
      return found;
    } catch (SQLException e) {
      throw new IllegalStateException("could not read uploads", e);
    }
  }

  /**
   * Deletes an upload: its blobs (bytes, thumbnail, chunks still held), then its row. Idempotent: a deletion cut
   * short is finished by running it again.
   */
  public void erase(Upload upload, dev.parley.persistence.blob.BlobStore blobs) throws java.io.IOException {
    for (Part p : parts(upload.fileId())) {
      blobs.delete(upload.siteId(), partKey(upload.fileId(), p.first()));
    }
    blobs.delete(upload.siteId(), fileKey(upload.fileId()));
    blobs.delete(upload.siteId(), thumbKey(upload.fileId()));
    delete(upload.fileId());
  }

  /** Every file attached to the conversation. */
  public List<Upload> ofConversation(String conversationId) {
    return query("SELECT " + COLUMNS + " FROM file_upload WHERE conversation_id = ?", conversationId);
  }

  /**
   * Records the chunk that starts where the upload stands ({@code received_bytes = first}); false when the upload
   * has moved on meanwhile (a concurrent retry of the same chunk won) or is no longer receiving.
   */
  public boolean addPart(UUID fileId, long first, long length) {
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      try (PreparedStatement ps =
              c.prepareStatement(
                  "UPDATE file_upload SET received_bytes = received_bytes + ? WHERE file_id = ?"
                      + " AND received_bytes = ? AND state = 'receiving' AND received_bytes + ? <= total_bytes");
          PreparedStatement part =
              c.prepareStatement(
                  "INSERT INTO file_upload_part (file_id, first_byte, length) VALUES (?, ?, ?)")) {
        ps.setLong(1, length);
        ps.setObject(2, fileId);
        ps.setLong(3, first);
        ps.setLong(4, length);
        if (ps.executeUpdate() != 1) {
          c.rollback();
          return false;
        }
        part.setObject(1, fileId);
        part.setLong(2, first);
        part.setLong(3, length);
        part.executeUpdate();
        c.commit();
        return true;
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      }
    } catch (SQLException e) {
      throw new IllegalStateException("could not record a chunk of " + fileId, e);
    }
  }

  public List<Part> parts(UUID fileId) {
    List<Part> parts = new ArrayList<>();
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "SELECT first_byte, length FROM file_upload_part WHERE file_id = ? ORDER BY first_byte")) {
      ps.setObject(1, fileId);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          parts.add(new Part(rs.getLong(1), rs.getLong(2)));
        }
      }
      return parts;
    } catch (SQLException e) {
      throw new IllegalStateException("could not read the chunks of " + fileId, e);
    }
  }

  /** The upload is whole and accepted: its type by content, hash, image size and thumbnail; its chunks are gone. */
  public void complete(
      UUID fileId, String mediaType, String sha256, Integer width, Integer height, boolean thumbnail, Instant now) {
    update(
        "UPDATE file_upload SET state = 'complete', media_type = ?, sha256 = ?, width = ?, height = ?,"
            + " has_thumbnail = ?, completed_at = ? WHERE file_id = ? AND state = 'receiving'",
        mediaType, sha256, width, height, thumbnail, Timestamp.from(now), fileId);
    update("DELETE FROM file_upload_part WHERE file_id = ?", fileId);
  }

  /** The upload was refused ({@code code}: the error its uploader gets, now and on every retry). */
  public void refuse(UUID fileId, String code, String mediaType) {
    update(
        "UPDATE file_upload SET state = 'refused', refusal = ?, media_type = ? WHERE file_id = ?"
            + " AND state = 'receiving'",
        code, mediaType, fileId);
    update("DELETE FROM file_upload_part WHERE file_id = ?", fileId);
  }

  /** Attaches a complete upload to a conversation; false when it is attached to another one already. */
  public boolean attach(UUID fileId, String conversationId) {
    return update(
            "UPDATE file_upload SET conversation_id = ? WHERE file_id = ? AND state = 'complete'"
                + " AND (conversation_id IS NULL OR conversation_id = ?)",
            conversationId, fileId, conversationId)
        == 1;
  }

  public void delete(UUID fileId) {
    update("DELETE FROM file_upload WHERE file_id = ?", fileId);
  }

  /** Bytes the site's uploads hold or have reserved (every upload not refused). */
  public long usage(String siteId) {
    try (Connection c = dataSource.getConnection()) {
      return usage(c, siteId);
    } catch (SQLException e) {
      throw new IllegalStateException("could not count the files of " + siteId, e);
    }
  }

  public Optional<SitePolicy> policy(String siteId) {
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "SELECT max_file_bytes, quota_bytes, allowed_types FROM site_file_policy WHERE site_id = ?")) {
      ps.setString(1, siteId);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          return Optional.empty();
        }
        Long max = (Long) rs.getObject(1);
        Long quota = (Long) rs.getObject(2);
        Array types = rs.getArray(3);
        return Optional.of(
            new SitePolicy(max, quota, types == null ? null : Arrays.asList((String[]) types.getArray())));
      }
    } catch (SQLException e) {
      throw new IllegalStateException("could not read the file policy of " + siteId, e);
    }
  }

  /** Sets the site's own limits (a null field: the server's default); all null removes the site's row. */
  public void setPolicy(String siteId, SitePolicy policy) {
    try (Connection c = dataSource.getConnection()) {
      if (policy.maxFileBytes() == null && policy.quotaBytes() == null && policy.allowedTypes() == null) {
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM site_file_policy WHERE site_id = ?")) {
          ps.setString(1, siteId);
          ps.executeUpdate();
        }
        return;
      }
      try (PreparedStatement ps =
          c.prepareStatement(
              "INSERT INTO site_file_policy (site_id, max_file_bytes, quota_bytes, allowed_types)"
                  + " VALUES (?, ?, ?, ?) ON CONFLICT (site_id) DO UPDATE SET max_file_bytes = EXCLUDED.max_file_bytes,"
                  + " quota_bytes = EXCLUDED.quota_bytes, allowed_types = EXCLUDED.allowed_types")) {
        ps.setString(1, siteId);
        ps.setObject(2, policy.maxFileBytes());
        ps.setObject(3, policy.quotaBytes());
        ps.setArray(
            4, policy.allowedTypes() == null ? null : c.createArrayOf("text", policy.allowedTypes().toArray()));
        ps.executeUpdate();
      }
    } catch (SQLException e) {
      throw new IllegalStateException("could not set the file policy of " + siteId, e);
    }
  }

  private static long usage(Connection c, String siteId) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT COALESCE(SUM(total_bytes), 0) FROM file_upload WHERE site_id = ? AND state <> 'refused'")) {
      ps.setString(1, siteId);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  private static Optional<Upload> find(
      Connection c, String siteId, String ownerRole, String ownerId, String uploadId) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT " + COLUMNS + " FROM file_upload WHERE site_id = ? AND owner_role = ? AND owner_id = ?"
                + " AND upload_id = ?")) {
      ps.setString(1, siteId);
      ps.setString(2, ownerRole);
      ps.setString(3, ownerId);
      ps.setString(4, uploadId);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? Optional.of(read(rs)) : Optional.empty();
      }
    }
  }

  private List<Upload> query(String sql, Object parameter) {
    List<Upload> found = new ArrayList<>();
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
      throw new IllegalStateException("could not read uploads", e);
    }
  }

  private int update(String sql, Object... parameters) {
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps = c.prepareStatement(sql)) {
      for (int i = 0; i < parameters.length; i++) {
        ps.setObject(i + 1, parameters[i]);
      }
      return ps.executeUpdate();
    } catch (SQLException e) {
      throw new IllegalStateException("could not update uploads", e);
    }
  }

  private static Upload read(ResultSet rs) throws SQLException {
    Timestamp completed = rs.getTimestamp(18);
    return new Upload(
        (UUID) rs.getObject(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
        rs.getString(6), rs.getLong(7), rs.getLong(8), rs.getString(9), rs.getString(10), rs.getString(11),
        rs.getString(12), (Integer) rs.getObject(13), (Integer) rs.getObject(14), rs.getBoolean(15),
        rs.getString(16), rs.getTimestamp(17).toInstant(), completed == null ? null : completed.toInstant());
  }
}
