package org.convexdistill.core.student;

/**
 * What replaces a teacher block: a convex MLP student ({@link StudentBlock}, what the learner fits;
 * {@link ProjectedStudent} when it reads its input through a fixed 1×1 projection) or a
 * convolutional one ({@link ConvStudent}, fitted offline). Serving, releases and the golden set see
 * only this; {@link StudentFormat} reads and writes all three.
 */
public sealed interface Student permits StudentBlock, ConvStudent, ProjectedStudent {
  /** Flattened input values per row (the block's input, C·H·W). */
  int inputDim();

  /** Flattened output values per row. */
  int outputDim();

  /** Hidden units (MLP) or filters (CNN); a student with none answers a constant. */
  int hiddenUnits();

  /** Trainable parameters, as the experiments and releases count them. */
  long parameterCount();

  /** Every number the student stores (what a size ceiling limits). */
  long storedParameterCount();

  /** The first stored array holding a NaN or an infinity, or null when every number is finite. */
  String firstNonFinite();

  /** The outputs (n × outputDim) for n inputs (n × inputDim), row-major, in a new array. */
  float[] apply(float[] z, int n);
}
