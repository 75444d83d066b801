package org.convexdistill.serving;

import org.convexdistill.core.release.ReleaseVerifier;

/**
 * What a release must satisfy before serving swaps to it, beyond decoding: who signed it, whose
 * teacher it distils, how big it may be, how far its version may jump, and how well it must agree
 * with the teacher on the golden set. Checked off the request path, by {@link StudentFollower} and
 * {@link ModelRegistry}.
 *
 * @param verifier the trusted public keys; null = unsigned releases are accepted (only when asked
 *     for explicitly: {@code --allow-unsigned-releases})
 * @param teacherId the teacher this node serves; a release of another is refused (null = any)
 * @param maxParameters a student with more weights is refused (bounds memory and latency)
 * @param maxVersionGap a version more than this above the latest accepted one is refused: one
 *     release numbered 2^62 would otherwise block every genuine version for ever
 * @param golden real inputs with the teacher's classes (null = not checked)
 * @param minGoldenAgreement the fraction of the golden set a student must agree on
 */
public record ReleasePolicy(
    ReleaseVerifier verifier,
    String teacherId,
    long maxParameters,
    long maxVersionGap,
    GoldenSet golden,
    double minGoldenAgreement) {
  /**
   * Default ceiling: 16 M weights (a block-4 student at 1/8 holds ~0.3 M; the block itself 8.4 M).
   */
  public static final long DEFAULT_MAX_PARAMETERS = 16_000_000L;

  public static final long DEFAULT_MAX_VERSION_GAP = 1_000L;

  public static final double DEFAULT_MIN_GOLDEN_AGREEMENT = 0.90;

  public ReleasePolicy {
    if (maxParameters < 1) {
      throw new IllegalArgumentException("--max-student-parameters must be >= 1");
    }
    if (maxVersionGap < 1) {
      throw new IllegalArgumentException("--max-version-gap must be >= 1");
    }
    if (!(minGoldenAgreement >= 0 && minGoldenAgreement <= 1)) {
      throw new IllegalArgumentException("--min-golden-agreement must be in [0, 1]");
    }
  }

  /**
   * Accepts any well-formed release of the right model and shapes, signed or not: for tests of
   * other parts and for a node told {@code --allow-unsigned-releases} with nothing else set.
   */
  public static ReleasePolicy permissive() {
    return new ReleasePolicy(
        null,
        null,
        DEFAULT_MAX_PARAMETERS,
        DEFAULT_MAX_VERSION_GAP,
        null,
        DEFAULT_MIN_GOLDEN_AGREEMENT);
  }

  public ReleasePolicy withVerifier(ReleaseVerifier v) {
    return new ReleasePolicy(
        v, teacherId, maxParameters, maxVersionGap, golden, minGoldenAgreement);
  }

  public ReleasePolicy withTeacherId(String id) {
    return new ReleasePolicy(
        verifier, id, maxParameters, maxVersionGap, golden, minGoldenAgreement);
  }

  public ReleasePolicy withGolden(GoldenSet g, double min) {
    return new ReleasePolicy(verifier, teacherId, maxParameters, maxVersionGap, g, min);
  }

  public ReleasePolicy withLimits(long params, long gap) {
    return new ReleasePolicy(verifier, teacherId, params, gap, golden, minGoldenAgreement);
  }
}
