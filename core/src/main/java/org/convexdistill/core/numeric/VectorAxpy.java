package org.convexdistill.core.numeric;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/** {@link Axpy}'s Vector API loop; loaded only when the JVM resolves the incubator module. */
final class VectorAxpy {
  private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
  private static final int LANES = SPECIES.length();

  private VectorAxpy() {}

  static void axpy(float v, float[] x, int xOff, float[] y, int n) {
    FloatVector vv = FloatVector.broadcast(SPECIES, v);
    int u = 0;
    for (int end = n - LANES; u <= end; u += LANES) {
      // mul then add, not fma: the same rounding as the scalar loop, so both paths agree exactly.
      FloatVector.fromArray(SPECIES, x, xOff + u)
          .mul(vv)
          .add(FloatVector.fromArray(SPECIES, y, u))
          .intoArray(y, u);
    }
    for (; u < n; u++) {
      y[u] += v * x[xOff + u];
    }
  }
}
