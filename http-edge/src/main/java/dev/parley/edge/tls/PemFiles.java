package dev.parley.edge.tls;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Certificates and private keys from PEM text, as certbot, openssl and most CAs hand them out: a chain of {@code
 * CERTIFICATE} blocks (leaf first), and an unencrypted key as {@code PRIVATE KEY} (PKCS#8), {@code RSA PRIVATE
 * KEY} (PKCS#1) or {@code EC PRIVATE KEY} (SEC1).
 *
 * <p>Why by hand instead of a library: the JDK reads X.509 and PKCS#8 itself; the two older key formats only need
 * to be wrapped in a PKCS#8 envelope (a few bytes of DER), which is less than a dependency of several megabytes in
 * the server jar. Encrypted PEM keys are refused with a message: a key that needs a password belongs in a PKCS#12
 * keystore, which the JDK reads with its password.
 */
public final class PemFiles {

  private static final Pattern BLOCK =
      Pattern.compile("-----BEGIN ([A-Z0-9 ]+)-----\\s*([A-Za-z0-9+/=\\s]*?)-----END \\1-----");
  /** rsaEncryption, 1.2.840.113549.1.1.1. */
  private static final byte[] OID_RSA = {0x2a, (byte) 0x86, 0x48, (byte) 0x86, (byte) 0xf7, 0x0d, 0x01, 0x01, 0x01};
  /** id-ecPublicKey, 1.2.840.10045.2.1. */
  private static final byte[] OID_EC = {0x2a, (byte) 0x86, 0x48, (byte) 0xce, 0x3d, 0x02, 0x01};
  /** Key algorithms a PKCS#8 key may be in; each KeyFactory refuses the others' encodings. */
  private static final List<String> KEY_ALGORITHMS = List.of("RSA", "EC", "EdDSA", "RSASSA-PSS");

  private PemFiles() {}

  /** One PEM block: its label ({@code CERTIFICATE}) and its decoded bytes. */
  record Block(String label, byte[] der) {}

  static List<Block> blocks(String pem) {
    List<Block> blocks = new ArrayList<>();
    Matcher m = BLOCK.matcher(pem);
    while (m.find()) {
      blocks.add(new Block(m.group(1), Base64.getMimeDecoder().decode(m.group(2))));
    }
    return blocks;
  }

  /**
   * Every {@code CERTIFICATE} block of {@code pem}, in order (text between blocks, such as openssl's "Bag
   * Attributes", is ignored).
   *
   * @throws IllegalArgumentException when there is none, or one is not an X.509 certificate
   */
  public static List<X509Certificate> certificates(String pem) {
    List<X509Certificate> chain = new ArrayList<>();
    try {
      CertificateFactory factory = CertificateFactory.getInstance("X.509");
      for (Block block : blocks(pem)) {
        if (block.label().equals("CERTIFICATE")) {
          chain.add((X509Certificate) factory.generateCertificate(new ByteArrayInputStream(block.der())));
        }
      }
    } catch (CertificateException e) {
      throw new IllegalArgumentException("a CERTIFICATE block is not an X.509 certificate: " + e.getMessage());
    }
    if (chain.isEmpty()) {
      throw new IllegalArgumentException("no '-----BEGIN CERTIFICATE-----' block found");
    }
    return chain;
  }

  /**
   * The first private key of {@code pem}.
   *
   * @throws IllegalArgumentException when there is none, it is encrypted, or it cannot be read (the message never
   *     contains key material)
   */
  public static PrivateKey privateKey(String pem) {
    for (Block block : blocks(pem)) {
      switch (block.label()) {
        case "PRIVATE KEY":
          return pkcs8(block.der());
        case "RSA PRIVATE KEY":
          return pkcs8(wrapPkcs8(sequence(oid(OID_RSA), new byte[] {0x05, 0x00}), block.der()));
        case "EC PRIVATE KEY":
          return pkcs8(wrapPkcs8(sequence(oid(OID_EC), oid(curveOf(block.der()))), block.der()));
        case "ENCRYPTED PRIVATE KEY":
          throw new IllegalArgumentException(
              "the private key is encrypted: give it unencrypted (readable only by the server's user), or use a"
                  + " PKCS#12 keystore with its password");
        default:
          // EC PARAMETERS, certificates and the like: not a key, look further.
      }
    }
    if (pem.contains("Proc-Type: 4,ENCRYPTED")) {
      throw new IllegalArgumentException("the private key is encrypted (a legacy openssl format): decrypt it, or use"
          + " a PKCS#12 keystore with its password");
    }
    throw new IllegalArgumentException("no '-----BEGIN PRIVATE KEY-----' (or RSA / EC PRIVATE KEY) block found");
  }

  private static PrivateKey pkcs8(byte[] der) {
    for (String algorithm : KEY_ALGORITHMS) {
      try {
        return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
      } catch (GeneralSecurityException | IllegalArgumentException notThisOne) {
        // try the next algorithm: each factory refuses the others' keys
      }
    }
    throw new IllegalArgumentException("the private key is not an RSA, EC or EdDSA key this JVM can read");
  }

  // DER, just enough for the envelope -------------------------------------------------------------------------

  /** PrivateKeyInfo ::= SEQUENCE { version INTEGER 0, algorithm AlgorithmIdentifier, privateKey OCTET STRING }. */
  private static byte[] wrapPkcs8(byte[] algorithmIdentifier, byte[] key) {
    return sequence(new byte[] {0x02, 0x01, 0x00}, algorithmIdentifier, tlv(0x04, key));
  }

  /**
   * The named curve of a SEC1 key: ECPrivateKey ::= SEQUENCE { version, privateKey OCTET STRING, [0] parameters
   * OBJECT IDENTIFIER OPTIONAL, [1] publicKey OPTIONAL }.
   */
  private static byte[] curveOf(byte[] sec1) {
    Der outer = new Der(sec1, 0);
    if (outer.tag != 0x30) {
      throw new IllegalArgumentException("the EC private key is not DER (SEC1)");
    }
    int at = outer.contentStart;
    while (at < outer.end) {
      Der field = new Der(sec1, at);
      if (field.tag == 0xa0) {
        Der oid = new Der(sec1, field.contentStart);
        if (oid.tag == 0x06) {
          byte[] curve = new byte[oid.end - oid.contentStart];
          System.arraycopy(sec1, oid.contentStart, curve, 0, curve.length);
          return curve;
        }
      }
      at = field.end;
    }
    throw new IllegalArgumentException("the EC private key names no curve; convert it to PKCS#8"
        + " (openssl pkcs8 -topk8 -nocrypt)");
  }

  /** One DER element's tag and where its content starts and ends. */
  private static final class Der {
    final int tag;
    final int contentStart;
    final int end;

    Der(byte[] bytes, int offset) {
      if (offset + 2 > bytes.length) {
        throw new IllegalArgumentException("truncated DER");
      }
      tag = bytes[offset] & 0xff;
      int first = bytes[offset + 1] & 0xff;
      int length;
      int start;
      if (first < 0x80) {
        length = first;
        start = offset + 2;
      } else {
        int count = first & 0x7f;
        if (count == 0 || count > 3 || offset + 2 + count > bytes.length) {
          throw new IllegalArgumentException("unsupported DER length");
        }
        length = 0;
        for (int i = 0; i < count; i++) {
          length = (length << 8) | (bytes[offset + 2 + i] & 0xff);
        }
        start = offset + 2 + count;
      }
      if (start + length > bytes.length) {
        throw new IllegalArgumentException("truncated DER");
      }
      contentStart = start;
      end = start + length;
    }
  }

  private static byte[] oid(byte[] body) {
    return tlv(0x06, body);
  }

  private static byte[] sequence(byte[]... parts) {
    ByteArrayOutputStream content = new ByteArrayOutputStream();
    for (byte[] part : parts) {
      content.writeBytes(part);
    }
    return tlv(0x30, content.toByteArray());
  }

  private static byte[] tlv(int tag, byte[] content) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(tag);
    int n = content.length;
    if (n < 0x80) {
      out.write(n);
    } else if (n < 0x100) {
      out.write(0x81);
      out.write(n);
    } else if (n < 0x10000) {
      out.write(0x82);
      out.write(n >> 8);
      out.write(n);
    } else {
      out.write(0x83);
      out.write(n >> 16);
      out.write(n >> 8);
      out.write(n);
    }
    out.writeBytes(content);
    return out.toByteArray();
  }
}
