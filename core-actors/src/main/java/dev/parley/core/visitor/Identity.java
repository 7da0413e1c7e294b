package dev.parley.core.visitor;

import dev.parley.core.serialization.CborSerializable;
import java.util.Map;

/**
 * Who the host site says the visitor is. {@code verified} is true when the site signed {@code userId} with its
 * identity secret and the edge checked the signature; unverified identities are shown as such.
 */
public record Identity(String userId, String name, String email, Map<String, String> attributes, boolean verified)
    implements CborSerializable {

  public Identity {
    attributes = attributes == null ? Map.of() : Map.copyOf(attributes);
  }
}
