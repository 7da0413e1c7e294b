package dev.parley.edge.files;

import dev.parley.edge.protocol.ErrorCode;

/** A file the server will not take, with the error its uploader gets (docs/PROTOCOL.md §13). */
public final class FileRefused extends Exception {

  private final ErrorCode code;
  /** The type detected from the content, when it was detected. */
  private final String mediaType;

  public FileRefused(ErrorCode code, String message, String mediaType) {
    super(message, null, false, false);
    this.code = code;
    this.mediaType = mediaType;
  }

  public ErrorCode code() {
    return code;
  }

  public String mediaType() {
    return mediaType;
  }
}
