package org.convexdistill.core.release;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.Signature;
import java.util.Base64;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Checks a release's {@link ReleaseSigner#HEADER} against the public keys this node trusts (more
 * than one during a key rotation). Pure: the caller hands it the record's value and header.
 */
public final class ReleaseVerifier {
  /** Why a release is not trusted; {@link #tag} is the bounded metric reason. */
  public enum Problem {
    UNSIGNED("unsigned"),
    MALFORMED_SIGNATURE("bad-signature"),
    UNKNOWN_KEY("unknown-key"),
    BAD_SIGNATURE("bad-signature");

    public final String tag;

    Problem(String tag) {
      this.tag = tag;
    }
  }

  /** The outcome: {@code problem} null when the signature is good. */
  public record Verdict(Problem problem, String detail) {
    public boolean trusted() {
      return problem == null;
    }
  }

  private final Map<String, PublicKey> keys = new LinkedHashMap<>();

  public ReleaseVerifier(Collection<PublicKey> trusted) {
    if (trusted.isEmpty()) {
      throw new IllegalArgumentException("a verifier needs at least one public key");
    }
    for (PublicKey k : trusted) {
      keys.put(ReleaseKeys.id(k), k);
    }
  }

  /** Ids of the trusted keys. */
  public Set<String> keyIds() {
    return keys.keySet();
  }

  /** Checks {@code header} (null = no such header) over {@code value}. */
  public Verdict verify(byte[] value, byte[] header) {
    if (header == null) {
      return new Verdict(Problem.UNSIGNED, "the release carries no " + ReleaseSigner.HEADER);
    }
    String h = new String(header, StandardCharsets.US_ASCII);
    String[] parts = h.split(";", -1);
    if (parts.length != 3
        || !parts[0].equals(ReleaseSigner.SCHEME)
        || !parts[1].startsWith("key=")
        || !parts[2].startsWith("sig=")) {
      return new Verdict(
          Problem.MALFORMED_SIGNATURE, "signature header is not 'ed25519;key=ID;sig=BASE64'");
    }
    String id = parts[1].substring(4);
    PublicKey key = keys.get(id);
    if (key == null) {
      return new Verdict(
          Problem.UNKNOWN_KEY,
          "signed with key " + abbreviate(id) + ", this node trusts " + keys.keySet());
    }
    byte[] sig;
    try {
      sig = Base64.getDecoder().decode(parts[2].substring(4));
    } catch (IllegalArgumentException e) {
      return new Verdict(Problem.MALFORMED_SIGNATURE, "signature is not base64");
    }
    try {
      Signature s = Signature.getInstance("Ed25519");
      s.initVerify(key);
      s.update(value);
      if (s.verify(sig)) {
        return new Verdict(null, "signed with key " + id);
      }
    } catch (GeneralSecurityException e) {
      // a signature of the wrong length and the like: not a valid signature
    }
    return new Verdict(
        Problem.BAD_SIGNATURE, "signature does not match the release (key " + id + ")");
  }

  private static String abbreviate(String s) {
    return s.length() > 40 ? s.substring(0, 40) + "…" : s;
  }
}
