package org.convexdistill.core.student;

/**
 * A convex MLP student that reads its block's input through a fixed {@link ChannelProjection}: the
 * gated units see the k·S projected values instead of the C_in·S raw ones. Its forward pass equals
 * the convex model fitted on the projected inputs.
 *
 * <p>Parameters: the projection's k·(C_in + 1) plus the inner student's weights; the gates and
 * column scales of the inner student are reported apart, as for any MLP student.
 *
 * @param projection the fixed input map
 * @param student the gated student on the projected inputs (its input dimension is k·S)
 */
public record ProjectedStudent(ChannelProjection projection, StudentBlock student)
    implements Student {
  public ProjectedStudent {
    if (projection.outputDim() != student.inputDim()) {
      throw new IllegalArgumentException(
          "the projection gives "
              + projection.outputDim()
              + " values per row but the student reads "
              + student.inputDim());
    }
  }

  @Override
  public int inputDim() {
    return projection.inputDim();
  }

  @Override
  public int outputDim() {
    return student.outputDim();
  }

  @Override
  public int hiddenUnits() {
    return student.hiddenUnits();
  }

  @Override
  public long parameterCount() {
    return projection.parameterCount() + student.parameterCount();
  }

  @Override
  public long storedParameterCount() {
    return projection.parameterCount() + student.storedParameterCount();
  }

  @Override
  public String firstNonFinite() {
    String p = projection.firstNonFinite();
    return p != null ? p : student.firstNonFinite();
  }

  @Override
  public float[] apply(float[] z, int n) {
    return student.apply(projection.apply(z, n), n);
  }
}
