package dev.parley.edge.files;

import dev.parley.core.common.Caller;
import dev.parley.core.conversation.Conversation;
import dev.parley.edge.protocol.ErrorCode;
import dev.parley.edge.protocol.FrameRefusal;
import dev.parley.edge.protocol.ServerFrame;
import dev.parley.persistence.files.FileRecords;
import dev.parley.persistence.files.FileRecords.Upload;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;

/**
 * Files sent with messages (PROTOCOL.md §13, "Sending a file"): a {@code send} names the sender's own complete
 * upload, which becomes the message's {@link Conversation.Attachment}; once the message is stored, the file is
 * recorded as the conversation's, so that its participants may have links to it. Both steps are idempotent: a
 * resent message attaches the same file to the same conversation again.
 */
public final class Attachments {

  public static final String FIELD = "attachment.uploadId";

  private final FileRecords records;
  private final Executor blocking;

  public Attachments(FileRecords records, Executor blocking) {
    this.records = records;
    this.blocking = blocking;
  }

  /**
   * The caller's complete upload {@code uploadId} as an attachment for {@code conversationId}; fails with a
   * {@link FrameRefusal} ({@code invalid-field}) when there is none, it is not complete, or it went to another
   * conversation.
   */
  public CompletionStage<Conversation.Attachment> resolve(Caller caller, String uploadId, String conversationId) {
    return CompletableFuture.supplyAsync(
        () -> {
          String role = caller.isVisitor() ? "visitor" : "agent";
          Upload upload =
              records
                  .byUploadInSites(caller.siteIds(), role, caller.id(), uploadId)
                  .filter(Upload::complete)
                  .orElseThrow(() -> refusal("no complete upload of yours has this id"));
          if (upload.conversationId() != null && !upload.conversationId().equals(conversationId)) {
            throw refusal("this file was sent to another conversation; upload it again");
          }
          return new Conversation.Attachment(
              upload.fileId().toString(), upload.siteId(), upload.name(), upload.totalBytes(), upload.mediaType(),
              upload.width(), upload.height(), upload.hasThumbnail());
        },
        blocking);
  }

  /** Records the file as the conversation's (after the message that carries it was stored). */
  public CompletionStage<Boolean> attach(Conversation.Attachment attachment, String conversationId) {
    return CompletableFuture.supplyAsync(
        () -> records.attach(UUID.fromString(attachment.fileId()), conversationId), blocking);
  }

  private static FrameRefusal refusal(String message) {
    return new FrameRefusal(ServerFrame.Error.of(ErrorCode.INVALID_FIELD, message).withField(FIELD));
  }
}
