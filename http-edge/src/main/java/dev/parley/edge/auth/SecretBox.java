package dev.parley.edge.auth;

import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Encrypts small secrets at rest (two-factor secrets) with AES-256-GCM under a server secret, so that a copy of the
 * account table alone (a dump, a backup of one table, a support query) does not reveal them. The key lives in
 * {@code server_secret}, like the token-signing key. Values: {@code "v1:" + base64(nonce || ciphertext+tag)}; the
 * account id is bound as associated data, so a secret copied onto another account does not decrypt.
 */
public final class SecretBox {

  private static final String PREFIX = "v1:";
  private static final int NONCE_BYTES = 12;
  private static final int TAG_BITS = 128;
  private static final SecureRandom RANDOM = new SecureRandom();

  private final SecretKeySpec key;

  public SecretBox(byte[] key) {
    if (key.length != 32) {
      throw new IllegalArgumentException("an AES-256 key has 32 bytes");
    }
    this.key = new SecretKeySpec(key, "AES");
  }

  public String seal(byte[] plaintext, String accountId) {
    try {
      byte[] nonce = new byte[NONCE_BYTES];
      RANDOM.nextBytes(nonce);
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce));
      cipher.updateAAD(accountId.getBytes(java.nio.charset.StandardCharsets.UTF_8));
      byte[] sealed = cipher.doFinal(plaintext);
      return PREFIX
          + Base64.getEncoder().encodeToString(ByteBuffer.allocate(nonce.length + sealed.length).put(nonce).put(sealed).array());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM unavailable", e);
    }
  }

  public byte[] open(String sealed, String accountId) {
    if (sealed == null || !sealed.startsWith(PREFIX)) {
      throw new IllegalStateException("not a sealed secret");
    }
    try {
      byte[] all = Base64.getDecoder().decode(sealed.substring(PREFIX.length()));
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, all, 0, NONCE_BYTES));
      cipher.updateAAD(accountId.getBytes(java.nio.charset.StandardCharsets.UTF_8));
      return cipher.doFinal(all, NONCE_BYTES, all.length - NONCE_BYTES);
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      throw new IllegalStateException("a sealed secret could not be opened", e);
    }
  }
}
