package dev.parley.edge.files;

import dev.parley.core.common.Caller;
import dev.parley.core.conversation.Conversation;
import dev.parley.edge.protocol.ClientFrame;
import dev.parley.edge.protocol.ErrorCode;
import dev.parley.edge.protocol.FrameRefusal;
import dev.parley.edge.protocol.ServerFrame;
import dev.parley.persistence.blob.BlobStore;
import dev.parley.persistence.files.FileLibrary;
import dev.parley.persistence.files.FileRecords;
import dev.parley.persistence.files.FileRecords.Upload;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.Base64;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;

/**
 * Files sent with messages (PROTOCOL.md §13, "Sending a file"): a {@code send} names the sender's own complete
 * upload, or an entry of the site's library of common files, which becomes the message's {@link
 * Conversation.Attachment}; once the message is stored, the file is recorded as the conversation's, so that its
 * participants may have links to it. Every step is idempotent: a resent message attaches the same file to the same
 * conversation again.
 *
 * <p>A library file is copied into an upload of its own for the conversation (DECISIONS.md "Files (issue 15)"):
 * the copy's upload id is derived from the library entry, the conversation and the message id, so a resent
 * message finds the copy it made before instead of making another.
 */
public final class Attachments {

  public static final String FIELD = "attachment.uploadId";
  public static final String LIBRARY_FIELD = "attachment.libraryFileId";

  private final FileRecords records;
  private final Executor blocking;
  private final FileLibrary library;
  private final BlobStore blobs;
  private final Uploads uploads;
  private final Clock clock;

  /** Without a library: {@code attachment.libraryFileId} is refused. */
  public Attachments(FileRecords records, Executor blocking) {
    this(records, blocking, null, null, null, Clock.systemUTC());
  }

  public Attachments(
      FileRecords records, Executor blocking, FileLibrary library, BlobStore blobs, Uploads uploads, Clock clock) {
    this.records = records;
    this.blocking = blocking;
    this.library = library;
    this.blobs = blobs;
    this.uploads = uploads;
    this.clock = clock;
  }

  /**
   * The file {@code send} names, as an attachment for {@code conversationId}; fails with a {@link FrameRefusal}
   * ({@code invalid-field}) when there is none, it is not complete, or it went to another conversation.
   */
  public CompletionStage<Conversation.Attachment> resolve(
      Caller caller, ClientFrame.Send send, String conversationId) {
    if (send.libraryFileId() != null) {
      return CompletableFuture.supplyAsync(
          () -> fromLibrary(caller, UUID.fromString(send.libraryFileId()), conversationId, send.id()), blocking);
    }
    return resolve(caller, send.uploadId(), conversationId);
  }

  /** The caller's complete upload {@code uploadId} as an attachment for {@code conversationId}. */
  public CompletionStage<Conversation.Attachment> resolve(Caller caller, String uploadId, String conversationId) {
    return CompletableFuture.supplyAsync(
        () -> {
          String role = caller.isVisitor() ? "visitor" : "agent";
          Upload upload =
              records
                  .byUploadInSites(caller.siteIds(), role, caller.id(), uploadId)
                  .filter(Upload::complete)
                  .orElseThrow(() -> refusal(FIELD, "no complete upload of yours has this id"));
          if (upload.conversationId() != null && !upload.conversationId().equals(conversationId)) {
            throw refusal(FIELD, "this file was sent to another conversation; upload it again");
          }
          return attachment(upload);
        },
        blocking);
  }

  /** Records the file as the conversation's (after the message that carries it was stored). */
  public CompletionStage<Boolean> attach(Conversation.Attachment attachment, String conversationId) {
    return CompletableFuture.supplyAsync(
        () -> records.attach(UUID.fromString(attachment.fileId()), conversationId), blocking);
  }

  /** The library entry, copied into the sending agent's upload for this conversation and message (once). */
  private Conversation.Attachment fromLibrary(
      Caller caller, UUID entryId, String conversationId, String messageId) {
    if (caller.isVisitor()) {
      throw new FrameRefusal(
          ServerFrame.Error.of(ErrorCode.NOT_ALLOWED, "only agents send library files").withField(LIBRARY_FIELD));
    }
    if (library == null) {
      throw refusal(LIBRARY_FIELD, "this server has no file library");
    }
    FileLibrary.Entry entry =
        library
            .find(entryId, caller.siteIds())
            .orElseThrow(() -> refusal(LIBRARY_FIELD, "no file of your sites' libraries has this id"));
    Upload source =
        records.byFile(entry.fileId()).filter(Upload::complete)
            .orElseThrow(() -> refusal(LIBRARY_FIELD, "this library file was removed"));
    String uploadId = copyId(entryId, conversationId, messageId);
    FileRecords.Started started =
        records.start(
            entry.siteId(), "agent", caller.id(), uploadId, entry.name(), source.totalBytes(),
            uploads.policy(entry.siteId()).quotaBytes(), clock.instant());
    if (started instanceof FileRecords.OverQuota) {
      throw new FrameRefusal(
          ServerFrame.Error.of(ErrorCode.QUOTA_EXCEEDED, "the site's files would pass its quota")
              .withField(LIBRARY_FIELD));
    }
    Upload copy = ((FileRecords.Found) started).upload();
    if (!copy.complete()) {
      copy = copy(source, copy);
    }
    if (copy.conversationId() != null && !copy.conversationId().equals(conversationId)) {
      throw refusal(LIBRARY_FIELD, "this message id was used in another conversation");
    }
    return attachment(copy);
  }

  /** Copies the source's bytes (and thumbnail) into the copy's blobs, then records the copy as complete. */
  private Upload copy(Upload source, Upload copy) {
    try {
      BlobStore.StoredBlob stored =
          copyBlob(source.siteId(), FileRecords.fileKey(source.fileId()), FileRecords.fileKey(copy.fileId()),
              source.totalBytes());
      if (source.hasThumbnail()) {
        copyBlob(source.siteId(), FileRecords.thumbKey(source.fileId()), FileRecords.thumbKey(copy.fileId()),
            Long.MAX_VALUE);
      }
      if (copy.receivedBytes() == 0) {
        records.addPart(copy.fileId(), 0, stored.sizeBytes());
      }
      records.complete(
          copy.fileId(), source.mediaType(), stored.sha256(), source.width(), source.height(),
          source.hasThumbnail(), clock.instant());
      return records.byFile(copy.fileId()).orElseThrow();
    } catch (IOException e) {
      throw new UncheckedIOException("could not copy library file " + source.fileId(), e);
    }
  }

  private BlobStore.StoredBlob copyBlob(String siteId, String from, String to, long maxBytes) throws IOException {
    Optional<BlobStore.BlobContent> content = blobs.get(siteId, from, BlobStore.ByteRange.ALL);
    if (content.isEmpty()) {
      throw refusal(LIBRARY_FIELD, "this library file was removed");
    }
    try (BlobStore.BlobContent in = content.get()) {
      return blobs.put(siteId, to, in.stream(), maxBytes);
    }
  }

  /** The copy's upload id: 1–64 of {@code A-Za-z0-9_-}, the same for the same entry, conversation and message. */
  static String copyId(UUID entryId, String conversationId, String messageId) {
    try {
      byte[] hash =
          MessageDigest.getInstance("SHA-256")
              .digest((entryId + "\n" + conversationId + "\n" + messageId).getBytes(StandardCharsets.UTF_8));
      return "lib-" + Base64.getUrlEncoder().withoutPadding().encodeToString(hash);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Conversation.Attachment attachment(Upload upload) {
    return new Conversation.Attachment(
        upload.fileId().toString(), upload.siteId(), upload.name(), upload.totalBytes(), upload.mediaType(),
        upload.width(), upload.height(), upload.hasThumbnail());
  }

  private static FrameRefusal refusal(String field, String message) {
    return new FrameRefusal(ServerFrame.Error.of(ErrorCode.INVALID_FIELD, message).withField(field));
  }
}
