package org.convexdistill.core.release;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReleaseSigningTest {
  private static final byte[] VALUE = "a release".getBytes(StandardCharsets.UTF_8);

  @Test
  void aSignatureVerifiesOnlyOverTheExactValueAndOnlyWithItsKey() {
    KeyPair a = ReleaseKeys.generate();
    KeyPair b = ReleaseKeys.generate();
    ReleaseSigner signer = new ReleaseSigner(a.getPrivate());
    byte[] header = signer.sign(VALUE);

    assertThat(new ReleaseVerifier(List.of(a.getPublic())).verify(VALUE, header).trusted())
        .isTrue();
    // During a rotation serving trusts both keys: still good.
    assertThat(
            new ReleaseVerifier(List.of(b.getPublic(), a.getPublic()))
                .verify(VALUE, header)
                .trusted())
        .isTrue();

    byte[] tampered = VALUE.clone();
    tampered[0] ^= 1;
    ReleaseVerifier.Verdict v =
        new ReleaseVerifier(List.of(a.getPublic())).verify(tampered, header);
    assertThat(v.problem()).isEqualTo(ReleaseVerifier.Problem.BAD_SIGNATURE);

    ReleaseVerifier.Verdict other =
        new ReleaseVerifier(List.of(b.getPublic())).verify(VALUE, header);
    assertThat(other.problem()).isEqualTo(ReleaseVerifier.Problem.UNKNOWN_KEY);
    assertThat(other.detail()).contains(signer.keyId());

    // A forger who knows the key id but not the key: right id, wrong signature.
    byte[] forged = new ReleaseSigner(b.getPrivate()).sign(VALUE);
    String swapped =
        new String(forged, StandardCharsets.US_ASCII)
            .replace(ReleaseKeys.id(b.getPublic()), signer.keyId());
    assertThat(
            new ReleaseVerifier(List.of(a.getPublic()))
                .verify(VALUE, swapped.getBytes(StandardCharsets.US_ASCII))
                .problem())
        .isEqualTo(ReleaseVerifier.Problem.BAD_SIGNATURE);
  }

  @Test
  void unsignedAndMalformedHeadersAreNamed() {
    ReleaseVerifier v = new ReleaseVerifier(List.of(ReleaseKeys.generate().getPublic()));
    assertThat(v.verify(VALUE, null).problem()).isEqualTo(ReleaseVerifier.Problem.UNSIGNED);
    assertThat(v.verify(VALUE, "hmac;x".getBytes(StandardCharsets.US_ASCII)).problem())
        .isEqualTo(ReleaseVerifier.Problem.MALFORMED_SIGNATURE);
  }

  @Test
  void keysRoundTripThroughPemFilesAndThePublicKeyFollowsFromThePrivate(@TempDir Path dir)
      throws Exception {
    KeyPair pair = ReleaseKeys.generate();
    ReleaseKeys.write(pair, dir);
    assertThat(ReleaseKeys.readPublic(dir.resolve(ReleaseKeys.PUBLIC_FILE)))
        .isEqualTo(pair.getPublic());
    assertThat(ReleaseKeys.publicOf(ReleaseKeys.readPrivate(dir.resolve(ReleaseKeys.PRIVATE_FILE))))
        .isEqualTo(pair.getPublic());
    // Owner-only, whatever order the set happens to list them in.
    assertThat(Files.getPosixFilePermissions(dir.resolve(ReleaseKeys.PRIVATE_FILE)))
        .containsExactlyInAnyOrder(
            java.nio.file.attribute.PosixFilePermission.OWNER_READ,
            java.nio.file.attribute.PosixFilePermission.OWNER_WRITE);
    // The wrong half, or not a key at all, is refused with the file's name.
    assertThatThrownBy(() -> ReleaseKeys.readPrivate(dir.resolve(ReleaseKeys.PUBLIC_FILE)))
        .isInstanceOf(KeyFileException.class)
        .hasMessageContaining(ReleaseKeys.PUBLIC_FILE);
    Path junk = Files.writeString(dir.resolve("junk.pub"), "hello");
    assertThatThrownBy(() -> ReleaseKeys.readPublic(junk))
        .isInstanceOf(KeyFileException.class)
        .hasMessageContaining("junk.pub");
  }
}
