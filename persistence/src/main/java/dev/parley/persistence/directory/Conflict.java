package dev.parley.persistence.directory;

/** A write would break a uniqueness rule (a taken username or site id). Nothing was written. */
public final class Conflict extends RuntimeException {
  private final String field;

  public Conflict(String field, String message) {
    super(message);
    this.field = field;
  }

  public String field() {
    return field;
  }
}
