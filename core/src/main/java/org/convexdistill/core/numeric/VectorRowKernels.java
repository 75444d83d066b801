package org.convexdistill.core.numeric;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/** {@link RowKernels}' Vector API loops; loaded only when the JVM resolves the incubator module. */
final class VectorRowKernels {
  private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
  private static final int LANES = SPECIES.length();

  private VectorRowKernels() {}

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
    RowKernels.axpyFrom(u, v, x, xOff, y, n);
  }

  static void dot4(
      float[] w, int wOff, float[] x, int x0, int x1, int x2, int x3, int n, float[] out) {
    FloatVector a0 = FloatVector.zero(SPECIES);
    FloatVector a1 = a0;
    FloatVector a2 = a0;
    FloatVector a3 = a0;
    int i = 0;
    for (int end = n - LANES; i <= end; i += LANES) {
      FloatVector wv = FloatVector.fromArray(SPECIES, w, wOff + i);
      a0 = wv.fma(FloatVector.fromArray(SPECIES, x, x0 + i), a0);
      a1 = wv.fma(FloatVector.fromArray(SPECIES, x, x1 + i), a1);
      a2 = wv.fma(FloatVector.fromArray(SPECIES, x, x2 + i), a2);
      a3 = wv.fma(FloatVector.fromArray(SPECIES, x, x3 + i), a3);
    }
    RowKernels.dot4From(
        i,
        a0.reduceLanes(VectorOperators.ADD),
        a1.reduceLanes(VectorOperators.ADD),
        a2.reduceLanes(VectorOperators.ADD),
        a3.reduceLanes(VectorOperators.ADD),
        w,
        wOff,
        x,
        x0,
        x1,
        x2,
        x3,
        n,
        out);
  }
}
