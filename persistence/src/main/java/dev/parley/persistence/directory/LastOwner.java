package dev.parley.persistence.directory;

/**
 * A change would leave a site without an enabled owner (removing, demoting or disabling its last one). Nothing was
 * written.
 */
public final class LastOwner extends RuntimeException {
  private final String siteId;

  public LastOwner(String siteId) {
    super("site '" + siteId + "' would be left without an owner; make someone else owner first", null, false, false);
    this.siteId = siteId;
  }

  public String siteId() {
    return siteId;
  }
}
