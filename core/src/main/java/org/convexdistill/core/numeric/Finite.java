package org.convexdistill.core.numeric;

/** Whether arrays hold only finite numbers: the one check every boundary that takes floats uses. */
public final class Finite {
  private Finite() {}

  /** True when every element of every array is neither NaN nor infinite. */
  public static boolean all(float[]... arrays) {
    for (float[] a : arrays) {
      for (float x : a) {
        if (!Float.isFinite(x)) {
          return false;
        }
      }
    }
    return true;
  }
}
