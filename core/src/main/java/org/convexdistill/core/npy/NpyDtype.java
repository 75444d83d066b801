package org.convexdistill.core.npy;

/** The element types this codec reads; both are converted to float32 in memory. */
public enum NpyDtype {
  FLOAT32("f4", 4),
  FLOAT64("f8", 8);

  private final String code;
  private final int bytes;

  NpyDtype(String code, int bytes) {
    this.code = code;
    this.bytes = bytes;
  }

  /** The NumPy type code without byte order, e.g. {@code f4}. */
  public String code() {
    return code;
  }

  /** Bytes per element. */
  public int bytes() {
    return bytes;
  }
}
