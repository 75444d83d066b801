package org.convexdistill.core.release;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.util.Base64;

/**
 * Signs encoded student releases with the learner's Ed25519 key. The signature travels in the
 * record header {@link #HEADER}: {@code ed25519;key=<key id>;sig=<base64>} over the record value
 * exactly as published (the value names model, teacher, block and version, so none of them can be
 * changed or the release moved to another model without breaking it).
 */
public final class ReleaseSigner {
  /** Kafka record header carrying the signature. */
  public static final String HEADER = "distill-signature";

  static final String SCHEME = "ed25519";

  private final PrivateKey key;
  private final PublicKey publicKey;
  private final String keyId;

  public ReleaseSigner(PrivateKey key) {
    this.key = key;
    this.publicKey = ReleaseKeys.publicOf(key);
    this.keyId = ReleaseKeys.id(publicKey);
  }

  /** The id of the key this signer signs with. */
  public String keyId() {
    return keyId;
  }

  /** The public half (what serving must hold). */
  public PublicKey publicKey() {
    return publicKey;
  }

  /** The header value for {@code value}. */
  public byte[] sign(byte[] value) {
    try {
      Signature s = Signature.getInstance("Ed25519");
      s.initSign(key);
      s.update(value);
      String header =
          SCHEME + ";key=" + keyId + ";sig=" + Base64.getEncoder().encodeToString(s.sign());
      return header.getBytes(StandardCharsets.US_ASCII);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot sign a release: " + e.getMessage(), e);
    }
  }
}
