package dev.parley.core.visitor;

import dev.parley.core.serialization.CborSerializable;
import java.util.Map;

/**
 * Who the host site says the visitor is. {@code verified} is true when the site signed the identity with its
 * identity secret and the edge checked the signature; unverified identities are shown as such.
 *
 * <p>{@code verifiedFields} (added after release; null in older events means {@link #ID_ONLY} when verified)
 * says what the signature covered: {@link #ALL_FIELDS} when it covered the id, name, e-mail and attributes, or
 * {@link #ID_ONLY} for the first signature scheme, which signs the user id alone — then name, e-mail and
 * attributes are the browser's word and are shown as unverified.
 */
public record Identity(
    String userId,
    String name,
    String email,
    Map<String, String> attributes,
    boolean verified,
    String verifiedFields)
    implements CborSerializable {

  public static final String ALL_FIELDS = "all";
  public static final String ID_ONLY = "id";

  public Identity {
    attributes = attributes == null ? Map.of() : Map.copyOf(attributes);
    if (!verified) {
      verifiedFields = null;
    } else if (verifiedFields == null) {
      verifiedFields = ID_ONLY;
    }
  }

  public Identity(String userId, String name, String email, Map<String, String> attributes, boolean verified) {
    this(userId, name, email, attributes, verified, verified ? ID_ONLY : null);
  }
}
