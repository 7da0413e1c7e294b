package dev.parley.persistence.directory;

/**
 * A site's widget configuration. {@code settingsJson} is an object validated by the edge; {@code identitySecret}
 * is null until one is generated, and is never shown to visitors.
 */
public record SiteWidget(String siteId, String settingsJson, boolean identityRequired, String identitySecret) {

  public static SiteWidget defaults(String siteId) {
    return new SiteWidget(siteId, "{}", false, null);
  }

  @Override
  public String toString() {
    // The secret stays out of logs and error messages.
    return "SiteWidget[siteId=" + siteId + ", identityRequired=" + identityRequired + "]";
  }
}
