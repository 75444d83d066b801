package org.convexdistill.serving;

import java.util.concurrent.atomic.AtomicInteger;
import org.convexdistill.core.teacher.Teacher;
import org.convexdistill.core.teacher.TensorShape;

/**
 * The real teacher, except that its first {@code failures} passes of one kind throw an Error, as a
 * pass that runs out of memory would: fault injection for the supervision tests.
 */
final class FaultyTeacher implements Teacher {
  enum Pass {
    PREFIX,
    SUFFIX
  }

  private final Teacher real;
  private final Pass failing;
  private final AtomicInteger failures;

  FaultyTeacher(Teacher real, Pass failing, int failures) {
    this.real = real;
    this.failing = failing;
    this.failures = new AtomicInteger(failures);
  }

  private void maybeFail(Pass pass) {
    if (pass == failing && failures.getAndDecrement() > 0) {
      throw new OutOfMemoryError("injected: a " + pass + " pass that runs out of memory");
    }
  }

  @Override
  public float[] prefix(int k, float[] images, int n) {
    maybeFail(Pass.PREFIX);
    return real.prefix(k, images, n);
  }

  @Override
  public int numBlocks() {
    return real.numBlocks();
  }

  @Override
  public int numClasses() {
    return real.numClasses();
  }

  @Override
  public TensorShape inputShape() {
    return real.inputShape();
  }

  @Override
  public TensorShape blockInputShape(int k) {
    return real.blockInputShape(k);
  }

  @Override
  public TensorShape blockOutputShape(int k) {
    return real.blockOutputShape(k);
  }

  @Override
  public long blockParameters(int k) {
    return real.blockParameters(k);
  }

  @Override
  public long totalParameters() {
    return real.totalParameters();
  }

  @Override
  public float[] block(int k, float[] z, int n) {
    return real.block(k, z, n);
  }

  @Override
  public float[] suffix(int k, float[] y, int n) {
    maybeFail(Pass.SUFFIX);
    return real.suffix(k, y, n);
  }

  @Override
  public float[] logits(float[] images, int n) {
    return real.logits(images, n);
  }

  @Override
  public void close() {}
}
