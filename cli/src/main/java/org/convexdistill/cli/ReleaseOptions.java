package org.convexdistill.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.List;
import org.convexdistill.app.GoldenImages;
import org.convexdistill.app.UserException;
import org.convexdistill.core.release.KeyFileException;
import org.convexdistill.core.release.ReleaseKeys;
import org.convexdistill.core.release.ReleaseSigner;
import org.convexdistill.core.release.ReleaseVerifier;
import org.convexdistill.core.teacher.Teacher;
import org.convexdistill.serving.ReleasePolicy;
import picocli.CommandLine.Option;

/** Who signs student releases, and what serving trusts. */
final class ReleaseOptions {
  private ReleaseOptions() {}

  static List<PublicKey> readPublicKeys(List<Path> files) {
    List<PublicKey> keys = new ArrayList<>();
    for (Path f : files) {
      try {
        keys.add(ReleaseKeys.readPublic(f));
      } catch (KeyFileException e) {
        throw new UserException(e.getMessage());
      }
    }
    return keys;
  }

  /** The learner's key. */
  static final class Signing {
    @Option(
        names = "--release-signing-key",
        paramLabel = "FILE",
        description =
            "Ed25519 private key (PEM, from 'distill keys generate') the learner signs every"
                + " release with; serving nodes refuse unsigned ones unless told otherwise.")
    Path signingKey;

    @Option(
        names = "--previous-release-key",
        paramLabel = "FILE",
        split = ",",
        description =
            "Public keys of earlier signing keys (rotation): on restart the learner continues"
                + " from a release signed by its own key or one of these (repeatable).")
    List<Path> previous = new ArrayList<>();

    /** The signer, or null (with a warning on stderr) when no key was given. */
    ReleaseSigner signer() {
      if (signingKey == null) {
        System.err.println(
            "distill: warning: no --release-signing-key: releases are unsigned and serving nodes"
                + " that check signatures will refuse them");
        return null;
      }
      try {
        return new ReleaseSigner(ReleaseKeys.readPrivate(signingKey));
      } catch (KeyFileException e) {
        throw new UserException(e.getMessage());
      }
    }

    List<PublicKey> previousKeys() {
      return readPublicKeys(previous);
    }
  }

  /** What a serving node accepts. */
  static final class Trust {
    @Option(
        names = "--release-public-key",
        paramLabel = "FILE",
        split = ",",
        description =
            "Ed25519 public key (PEM) whose signatures this node trusts; repeat during a key"
                + " rotation. Required unless --allow-unsigned-releases.")
    List<Path> publicKeys = new ArrayList<>();

    @Option(
        names = "--allow-unsigned-releases",
        description =
            "Serve releases without checking who signed them (anyone who can write to the"
                + " students topic then decides what is served).")
    boolean allowUnsigned;

    @Option(
        names = "--max-student-parameters",
        paramLabel = "N",
        description = "Refuse students storing more numbers (default: ${DEFAULT-VALUE}).")
    long maxParameters = ReleasePolicy.DEFAULT_MAX_PARAMETERS;

    @Option(
        names = "--max-version-gap",
        paramLabel = "N",
        description =
            "Refuse a version more than N above the latest accepted one (default:"
                + " ${DEFAULT-VALUE}).")
    long maxVersionGap = ReleasePolicy.DEFAULT_MAX_VERSION_GAP;

    @Option(
        names = "--golden-images",
        paramLabel = "DIR",
        description =
            "Real images (PNG/JPEG) a release must agree with the teacher on before it serves"
                + " (default: the teacher folder's golden/).")
    Path goldenImages;

    @Option(
        names = "--min-golden-agreement",
        paramLabel = "F",
        description =
            "Fraction of the golden images on which a student must give the teacher's class"
                + " (default: ${DEFAULT-VALUE}).")
    double minGoldenAgreement = ReleasePolicy.DEFAULT_MIN_GOLDEN_AGREEMENT;

    /** The verifier alone (validated before anything starts). */
    ReleaseVerifier verifier() {
      if (publicKeys.isEmpty()) {
        if (!allowUnsigned) {
          throw new UserException(
              "serving needs --release-public-key FILE (the learner's key, from 'distill keys"
                  + " generate') or, to serve whatever reaches the students topic,"
                  + " --allow-unsigned-releases");
        }
        return null;
      }
      return new ReleaseVerifier(readPublicKeys(publicKeys));
    }

    /** The whole policy for the teacher in {@code teacherDir}. */
    ReleasePolicy policy(
        ReleaseVerifier verifier, Teacher teacher, int block, String teacherId, Path teacherDir) {
      ReleasePolicy p;
      try {
        p =
            ReleasePolicy.permissive()
                .withVerifier(verifier)
                .withTeacherId(teacherId)
                .withLimits(maxParameters, maxVersionGap);
      } catch (IllegalArgumentException e) {
        throw new UserException(e.getMessage());
      }
      Path golden = goldenImages != null ? goldenImages : GoldenImages.of(teacherDir);
      if (goldenImages == null && !Files.isDirectory(golden)) {
        System.err.println(
            "distill: warning: no golden images in "
                + golden
                + " (--golden-images DIR): releases are not checked against the teacher on real"
                + " inputs");
        return p;
      }
      try {
        return p.withGolden(GoldenImages.load(teacher, block, golden), minGoldenAgreement);
      } catch (java.io.IOException | IllegalArgumentException e) {
        throw new UserException("--golden-images: " + e.getMessage());
      }
    }
  }
}
