package org.convexdistill.learner.stream;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.convexdistill.core.stream.OffsetRange;
import org.junit.jupiter.api.Test;

class ActivationWindowTest {
  @Test
  void keepsTheLastRowsInOrderWithTheirOffsetRanges() {
    ActivationWindow w = new ActivationWindow(3, 2, 1);
    w.add(0, 10, new float[] {1, 1}, new float[] {1});
    w.add(1, 5, new float[] {2, 2}, new float[] {2});
    w.add(0, 11, new float[] {3, 3}, new float[] {3});
    assertThat(w.isFull()).isTrue();
    w.add(0, 12, new float[] {4, 4}, new float[] {4}); // evicts offset 10
    w.skipped(2, 7);
    ActivationWindow.Snapshot s = w.snapshot();
    assertThat(s.n()).isEqualTo(3);
    assertThat(s.z()).containsExactly(2, 2, 3, 3, 4, 4);
    assertThat(s.y()).containsExactly(2, 3, 4);
    assertThat(s.ranges())
        .containsExactly(
            new OffsetRange(0, 11, 12), new OffsetRange(1, 5, 5), new OffsetRange(2, 8, 7));
    // Evict partition 1 entirely: it is remembered as an empty range after its last offset.
    w.add(0, 13, new float[] {5, 5}, new float[] {5});
    assertThat(w.snapshot().ranges()).contains(new OffsetRange(1, 6, 5));
    assertThat(List.copyOf(w.snapshot().ranges()).get(1).count()).isZero();
  }

  @Test
  void addingARowOfAMatrixEqualsAddingItsCopy() {
    float[] zs = {1, 2, 3, 4, 5, 6};
    float[] ys = {7, 8, 9};
    ActivationWindow a = new ActivationWindow(2, 2, 1);
    a.add(0, 0, zs, 1, ys);
    a.add(0, 1, zs, 2, ys);
    ActivationWindow b = new ActivationWindow(2, 2, 1);
    b.add(0, 0, new float[] {3, 4}, new float[] {8});
    b.add(0, 1, new float[] {5, 6}, new float[] {9});
    assertThat(a.snapshot().z()).containsExactly(b.snapshot().z());
    assertThat(a.snapshot().y()).containsExactly(8, 9);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> a.add(0, 2, zs, 3, ys))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
