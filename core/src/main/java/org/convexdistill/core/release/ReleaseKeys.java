package org.convexdistill.core.release;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.interfaces.EdECPrivateKey;
import java.security.spec.NamedParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.HexFormat;

/**
 * Ed25519 keys of student releases, as PEM files: the learner holds the private key ({@code PRIVATE
 * KEY}, PKCS#8), every serving node the public one ({@code PUBLIC KEY}, X.509). A key is named by
 * its id, the first 8 bytes of SHA-256 of its public encoding, so a signature says which key made
 * it and serving can hold several during a rotation.
 */
public final class ReleaseKeys {
  /** File names {@code distill keys generate} writes. */
  public static final String PRIVATE_FILE = "release-signing.key";

  public static final String PUBLIC_FILE = "release-signing.pub";

  private static final String ALGORITHM = "Ed25519";

  private ReleaseKeys() {}

  /** A fresh key pair. */
  public static KeyPair generate() {
    try {
      return KeyPairGenerator.getInstance(ALGORITHM).generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("this JVM has no Ed25519 (Java 15+ does)", e);
    }
  }

  /** The id of a public key: 16 hex digits. */
  public static String id(PublicKey key) {
    try {
      byte[] h = MessageDigest.getInstance("SHA-256").digest(key.getEncoded());
      return HexFormat.of().formatHex(h, 0, 8);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Writes {@code dir/release-signing.key} (owner-only) and {@code dir/release-signing.pub}. */
  public static void write(KeyPair pair, Path dir) throws IOException {
    Files.createDirectories(dir);
    Path priv = dir.resolve(PRIVATE_FILE);
    Files.deleteIfExists(priv);
    Files.createFile(priv);
    try {
      Files.setPosixFilePermissions(priv, PosixFilePermissions.fromString("rw-------"));
    } catch (UnsupportedOperationException e) {
      // not a POSIX file system: its default permissions apply
    }
    Files.writeString(priv, pem("PRIVATE KEY", pair.getPrivate().getEncoded()));
    Files.writeString(dir.resolve(PUBLIC_FILE), pem("PUBLIC KEY", pair.getPublic().getEncoded()));
  }

  /**
   * Reads a private key PEM file.
   *
   * @throws KeyFileException naming the file and what is wrong with it
   */
  public static PrivateKey readPrivate(Path file) throws KeyFileException {
    byte[] der = der(file, "PRIVATE KEY");
    try {
      return KeyFactory.getInstance(ALGORITHM).generatePrivate(new PKCS8EncodedKeySpec(der));
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      throw new KeyFileException(file + ": not an Ed25519 private key (" + e.getMessage() + ")");
    }
  }

  /**
   * Reads a public key PEM file.
   *
   * @throws KeyFileException naming the file and what is wrong with it
   */
  public static PublicKey readPublic(Path file) throws KeyFileException {
    byte[] der = der(file, "PUBLIC KEY");
    try {
      return KeyFactory.getInstance(ALGORITHM).generatePublic(new X509EncodedKeySpec(der));
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      throw new KeyFileException(file + ": not an Ed25519 public key (" + e.getMessage() + ")");
    }
  }

  /** The public key of a private one (the learner checks its own log with it on resume). */
  public static PublicKey publicOf(PrivateKey key) {
    if (!(key instanceof EdECPrivateKey ed) || ed.getBytes().isEmpty()) {
      throw new IllegalArgumentException("not an Ed25519 private key with its seed");
    }
    try {
      // The JDK derives an Ed25519 pair from the 32 random bytes it draws: hand it the seed.
      KeyPairGenerator g = KeyPairGenerator.getInstance(ALGORITHM);
      g.initialize(NamedParameterSpec.ED25519, new FixedSeed(ed.getBytes().get()));
      return g.generateKeyPair().getPublic();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static byte[] der(Path file, String type) throws KeyFileException {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.US_ASCII);
    } catch (IOException e) {
      throw new KeyFileException(
          "cannot read key file "
              + file
              + " ("
              + e.getMessage()
              + "); create one with 'distill"
              + " keys generate --out DIR'");
    }
    String begin = "-----BEGIN " + type + "-----";
    String end = "-----END " + type + "-----";
    int b = text.indexOf(begin);
    int e = text.indexOf(end);
    if (b < 0 || e < b) {
      throw new KeyFileException(
          file + " is not a PEM '" + type + "' file (from 'distill keys generate --out DIR')");
    }
    try {
      return Base64.getMimeDecoder().decode(text.substring(b + begin.length(), e));
    } catch (IllegalArgumentException ex) {
      throw new KeyFileException(file + ": bad base64 in the PEM body");
    }
  }

  private static String pem(String type, byte[] der) {
    String body =
        Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der);
    return "-----BEGIN " + type + "-----\n" + body + "\n-----END " + type + "-----\n";
  }

  /** A SecureRandom that yields one fixed seed: the JDK derives an Ed25519 pair from 32 bytes. */
  private static final class FixedSeed extends java.security.SecureRandom {
    private static final long serialVersionUID = 1L;
    private final byte[] seed;

    FixedSeed(byte[] seed) {
      this.seed = seed.clone();
    }

    @Override
    public void nextBytes(byte[] bytes) {
      System.arraycopy(seed, 0, bytes, 0, Math.min(seed.length, bytes.length));
    }
  }
}
