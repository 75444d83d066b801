package org.convexdistill.core.npy;

import java.util.Arrays;

/**
 * A dense array in C (row-major) order, held as float32.
 *
 * @param shape the dimensions, outermost first; an empty shape is a scalar
 * @param data the elements in C order; {@code data.length} equals the product of {@code shape}
 * @param sourceDtype the element type the array was read from (or is to be written as)
 */
public record NpyArray(int[] shape, float[] data, NpyDtype sourceDtype) {

  /** Checks that {@code data} holds exactly the number of elements {@code shape} implies. */
  public NpyArray {
    shape = shape.clone();
    long count = 1;
    for (int dim : shape) {
      if (dim < 0) {
        throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
      }
      count *= dim;
    }
    if (count != data.length) {
      throw new IllegalArgumentException(
          "shape " + Arrays.toString(shape) + " needs " + count + " elements, got " + data.length);
    }
  }

  /** A float32 array of the given shape over {@code data} (not copied). */
  public static NpyArray of(float[] data, int... shape) {
    return new NpyArray(shape, data, NpyDtype.FLOAT32);
  }

  /** Number of dimensions. */
  public int rank() {
    return shape.length;
  }

  /** Dimension {@code axis}. */
  public int dim(int axis) {
    return shape[axis];
  }

  @Override
  public int[] shape() {
    return shape.clone();
  }

  /** The shape as NumPy prints it, e.g. {@code (2000, 256)}. */
  public String shapeString() {
    StringBuilder sb = new StringBuilder("(");
    for (int i = 0; i < shape.length; i++) {
      if (i > 0) {
        sb.append(", ");
      }
      sb.append(shape[i]);
    }
    if (shape.length == 1) {
      sb.append(',');
    }
    return sb.append(')').toString();
  }

  /** Index of the first NaN or infinite element, or -1 when all are finite. */
  public int firstNonFinite() {
    for (int i = 0; i < data.length; i++) {
      if (!Float.isFinite(data[i])) {
        return i;
      }
    }
    return -1;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof NpyArray other
        && Arrays.equals(shape, other.shape)
        && Arrays.equals(data, other.data)
        && sourceDtype == other.sourceDtype;
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(shape) + Arrays.hashCode(data);
  }

  @Override
  public String toString() {
    return "NpyArray" + shapeString() + " " + sourceDtype;
  }
}
