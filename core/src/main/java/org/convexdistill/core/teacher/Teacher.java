package org.convexdistill.core.teacher;

/**
 * A trained network with {@link #numBlocks()} replaceable blocks, split as prefix (everything
 * before block k), block k and suffix (everything after, up to the logits). All arrays are
 * row-major with one flattened sample per row; inputs are preprocessed 1×32×32 images.
 *
 * <p>{@code suffix(k, block(k, prefix(k, x))) == logits(x)} up to float rounding.
 */
public interface Teacher extends AutoCloseable {
  /** Number of blocks (stages). */
  int numBlocks();

  /** Number of classes of the logits. */
  int numClasses();

  /** Shape of one preprocessed input image. */
  TensorShape inputShape();

  /** Input shape of block k (1-based). */
  TensorShape blockInputShape(int k);

  /** Output shape of block k. */
  TensorShape blockOutputShape(int k);

  /** Trainable parameters of block k (weights and batch-norm affine, no running statistics). */
  long blockParameters(int k);

  /** Trainable parameters of the whole network. */
  long totalParameters();

  /** Activations entering block k for n images: n × blockInputShape(k).size(). */
  float[] prefix(int k, float[] images, int n);

  /** Block k's output for its inputs z: n × blockOutputShape(k).size(). */
  float[] block(int k, float[] z, int n);

  /** Logits (n × numClasses) from block k's output y. */
  float[] suffix(int k, float[] y, int n);

  /** Logits of the full network for n images. */
  float[] logits(float[] images, int n);

  @Override
  void close();
}
