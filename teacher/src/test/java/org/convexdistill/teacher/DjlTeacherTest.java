package org.convexdistill.teacher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Random;
import org.convexdistill.core.teacher.TensorShape;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DjlTeacherTest {
  private static DjlTeacher teacher;
  private static float[] images;
  private static final int N = 37; // not a multiple of the batch size: exercises the last batch

  @BeforeAll
  static void setUp() {
    teacher = DjlTeacher.create(10, 3, 16);
    Random r = new Random(1);
    images = new float[N * 32 * 32];
    for (int i = 0; i < images.length; i++) {
      images[i] = (float) r.nextGaussian();
    }
  }

  @AfterAll
  static void tearDown() {
    teacher.close();
  }

  @Test
  void shouldHaveThePapersTable1ParameterCounts() {
    assertThat(teacher.blockParameters(1)).isEqualTo(147_968);
    assertThat(teacher.blockParameters(2)).isEqualTo(525_568);
    assertThat(teacher.blockParameters(3)).isEqualTo(2_099_712);
    assertThat(teacher.blockParameters(4)).isEqualTo(8_393_728);
    // + stem conv 7·7·64 + BN 128 + head 512·10 + 10
    assertThat(teacher.totalParameters())
        .isEqualTo(147_968 + 525_568 + 2_099_712 + 8_393_728 + 3136 + 128 + 5130);
  }

  @Test
  void shouldHaveTheBlockShapesOfA32x32Input() {
    assertThat(teacher.blockInputShape(1)).isEqualTo(new TensorShape(64, 8, 8));
    assertThat(teacher.blockInputShape(4)).isEqualTo(new TensorShape(256, 2, 2));
    assertThat(teacher.blockOutputShape(4)).isEqualTo(new TensorShape(512, 1, 1));
    assertThat(teacher.blockInputShape(4).size()).isEqualTo(1024);
  }

  @Test
  void shouldSplitAtEveryBlockIntoPrefixBlockSuffixThatEqualTheFullPass() {
    float[] full = teacher.logits(images, N);
    assertThat(full).hasSize(N * 10);
    for (int k = 1; k <= 4; k++) {
      float[] z = teacher.prefix(k, images, N);
      assertThat(z).hasSize(N * teacher.blockInputShape(k).size());
      float[] y = teacher.block(k, z, N);
      float[] logits = teacher.suffix(k, y, N);
      for (int i = 0; i < full.length; i++) {
        assertThat(logits[i])
            .as("block %d logit %d", k, i)
            .isCloseTo(
                full[i], org.assertj.core.api.Assertions.within(1e-4f * (1 + Math.abs(full[i]))));
      }
    }
  }

  @Test
  void theFrozenCopyEqualsTheLayerByLayerNetworkAtEverySplit() {
    // BatchNorm statistics away from their initial 0/1 so the folding has something to get wrong.
    try (DjlTeacher t = DjlTeacher.create(10, 4, 16)) {
      Random r = new Random(2);
      for (var pair : t.network().getParameters()) {
        ai.djl.nn.Parameter p = pair.getValue();
        String name = pair.getKey();
        if (!name.contains("BatchNorm") && p.getType() != ai.djl.nn.Parameter.Type.BIAS) {
          continue;
        }
        float[] v = new float[(int) p.getArray().size()];
        for (int i = 0; i < v.length; i++) {
          v[i] =
              p.getType() == ai.djl.nn.Parameter.Type.RUNNING_VAR
                      || p.getType() == ai.djl.nn.Parameter.Type.GAMMA
                  ? 0.5f + r.nextFloat() * 1.5f
                  : (float) r.nextGaussian() * 0.5f;
        }
        p.getArray().set(java.nio.FloatBuffer.wrap(v));
      }
      // Both inference copies: the plain-Java kernel (VectorResNet18) and PyTorch's convolutions.
      float[][] java = passesWithKernel(t, "java");
      float[][] torch = passesWithKernel(t, "pytorch");
      t.thaw();
      float[][] layers = passes(t);
      for (float[][] frozen : new float[][][] {java, torch}) {
        for (int p = 0; p < frozen.length; p++) {
          float scale = 0;
          for (float v : layers[p]) {
            scale = Math.max(scale, Math.abs(v));
          }
          assertThat(scale).as("pass %d is not trivial", p).isGreaterThan(0.1f);
          for (int i = 0; i < frozen[p].length; i++) {
            assertThat(frozen[p][i])
                .as("%s pass %d value %d", frozen == java ? "java" : "pytorch", p, i)
                .isCloseTo(layers[p][i], org.assertj.core.api.Assertions.within(1e-4f * scale));
          }
        }
      }
    }
  }

  @Test
  void thePlainJavaKernelMatchesPyTorchForBatchesOfOneToFive() {
    // Few images leave the 2×2 and 1×1 maps' position-major layers a remainder of 1-3 rows.
    try (DjlTeacher t = DjlTeacher.create(10, 5, 16)) {
      for (int n = 1; n <= 5; n++) {
        int count = n;
        float[][] java = withKernel(t, "java", () -> blockThreeAndLogits(t, count));
        float[][] torch = withKernel(t, "pytorch", () -> blockThreeAndLogits(t, count));
        for (int p = 0; p < java.length; p++) {
          float scale = 0;
          for (float v : torch[p]) {
            scale = Math.max(scale, Math.abs(v));
          }
          for (int i = 0; i < java[p].length; i++) {
            assertThat(java[p][i])
                .as("batch of %d, pass %d value %d", n, p, i)
                .isCloseTo(torch[p][i], org.assertj.core.api.Assertions.within(1e-4f * scale));
          }
        }
      }
    }
  }

  private static float[][] blockThreeAndLogits(DjlTeacher t, int n) {
    float[] z = t.prefix(3, images, n);
    return new float[][] {z, t.block(3, z, n), t.logits(images, n)};
  }

  @Test
  void theseTestsRunThePlainJavaKernel() {
    // The build passes --add-modules jdk.incubator.vector to the test JVM, as the launcher does;
    // without it every pass would quietly fall back to PyTorch and the kernel would go untested.
    assertThat(VectorResNet18.available()).isTrue();
    assertThat(DjlTeacher.javaKernel()).isTrue();
  }

  /**
   * {@link #passes} on an inference copy built with the given {@link DjlTeacher#KERNEL_PROPERTY}.
   */
  private static float[][] passesWithKernel(DjlTeacher t, String kernel) {
    return withKernel(t, kernel, () -> passes(t));
  }

  private static <T> T withKernel(
      DjlTeacher t, String kernel, java.util.function.Supplier<T> work) {
    String before = System.getProperty(DjlTeacher.KERNEL_PROPERTY);
    System.setProperty(DjlTeacher.KERNEL_PROPERTY, kernel);
    try {
      t.freeze();
      assertThat(DjlTeacher.javaKernel()).isEqualTo(kernel.equals("java"));
      return work.get();
    } finally {
      if (before == null) {
        System.clearProperty(DjlTeacher.KERNEL_PROPERTY);
      } else {
        System.setProperty(DjlTeacher.KERNEL_PROPERTY, before);
      }
    }
  }

  /** Every prefix, block and suffix, and the logits, on the shared images. */
  private static float[][] passes(DjlTeacher t) {
    float[][] out = new float[13][];
    out[0] = t.logits(images, N);
    for (int k = 1; k <= 4; k++) {
      out[3 * k - 2] = t.prefix(k, images, N);
      out[3 * k - 1] = t.block(k, out[3 * k - 2], N);
      out[3 * k] = t.suffix(k, out[3 * k - 1], N);
    }
    return out;
  }

  @Test
  void aPassOnBuffersAnotherPassLeftBehindGetsWhatAFreshThreadGets() throws Exception {
    // Each thread keeps its maps from pass to pass: a small batch after a large one runs on
    // buffers that still hold the large one's maps, so its padding rows, its pooled maps and the
    // stem's patches must be zeroed, not trusted to be.
    java.util.concurrent.ExecutorService pool =
        java.util.concurrent.Executors.newFixedThreadPool(2);
    try {
      float[][] reused =
          pool.submit(() -> new float[][] {teacher.logits(images, 13), teacher.logits(images, 2)})
              .get(120, java.util.concurrent.TimeUnit.SECONDS);
      float[] fresh =
          java.util.concurrent.Executors.newSingleThreadExecutor()
              .submit(() -> teacher.logits(images, 2))
              .get(120, java.util.concurrent.TimeUnit.SECONDS);
      assertThat(reused[1]).containsExactly(fresh);
      for (int i = 0; i < fresh.length; i++) {
        assertThat(reused[0][i])
            .as("logit %d", i)
            .isCloseTo(fresh[i], org.assertj.core.api.Assertions.within(1e-4f));
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void threadsRunningPassesAtOnceGetWhatOneThreadGets() throws Exception {
    // Serving's batch workers share one teacher without a lock.
    float[] alone = teacher.logits(images, N);
    int threads = 4;
    java.util.concurrent.ExecutorService pool =
        java.util.concurrent.Executors.newFixedThreadPool(threads);
    try {
      java.util.concurrent.CyclicBarrier start = new java.util.concurrent.CyclicBarrier(threads);
      java.util.List<java.util.concurrent.Future<float[][]>> results = new java.util.ArrayList<>();
      for (int t = 0; t < threads; t++) {
        results.add(
            pool.submit(
                () -> {
                  start.await();
                  float[][] out = new float[10][];
                  for (int i = 0; i < out.length; i++) {
                    out[i] = teacher.logits(images, N);
                  }
                  return out;
                }));
      }
      for (var f : results) {
        for (float[] logits : f.get(120, java.util.concurrent.TimeUnit.SECONDS)) {
          assertThat(logits).containsExactly(alone);
        }
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void magnitudePruningKeepsExactlyTheLargestWeightsAndLeavesTheTeacherAlone() {
    float[] z = teacher.prefix(4, images, N);
    float[] before = teacher.block(4, z, N);
    assertThat(teacher.kernelWeights(4)).isEqualTo(kernelWeights(4));
    DjlTeacher.PrunedBlock all = teacher.prunedBlock(4, kernelWeights(4));
    assertThat(all.nonZeroWeights()).isEqualTo(kernelWeights(4));
    assertThat(all.parameters()).isEqualTo(teacher.blockParameters(4));
    assertThat(all.apply(z, N)).containsExactly(before);

    long keep = kernelWeights(4) / 10 + 7;
    DjlTeacher.PrunedBlock tenth = teacher.prunedBlock(4, keep);
    assertThat(tenth.nonZeroWeights()).isEqualTo(keep);
    assertThat(tenth.parameters()).isEqualTo(teacher.blockParameters(4) - kernelWeights(4) + keep);
    float[] pruned = tenth.apply(z, N);
    assertThat(pruned).hasSameSizeAs(before).isNotEqualTo(before);
    // The teacher's own weights are back: its block and full pass are unchanged.
    assertThat(teacher.block(4, z, N)).containsExactly(before);
    // With everything pruned only the BatchNorm shifts remain: an output that ignores its input.
    DjlTeacher.PrunedBlock none = teacher.prunedBlock(4, 0);
    assertThat(none.nonZeroWeights()).isZero();
    float[] other = z.clone();
    java.util.Arrays.fill(other, 0, other.length / 2, 3f);
    assertThat(none.apply(other, N)).containsExactly(none.apply(z, N));
    assertThatThrownBy(() -> teacher.prunedBlock(4, kernelWeights(4) + 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("kernel weights");
  }

  /** Convolution kernel weights of stage k of a ResNet-18 (two basic blocks, a 1×1 downsample). */
  private static long kernelWeights(int k) {
    return switch (k) {
      case 4 -> 3L * 3 * 256 * 512 + 3L * 3 * 512 * 512 * 3 + 256L * 512;
      default -> throw new IllegalArgumentException();
    };
  }

  @Test
  void shouldSaveAndLoadTheSameNetwork(@TempDir Path dir) throws Exception {
    teacher.save(dir);
    try (DjlTeacher loaded = DjlTeacher.load(dir, 10, 16)) {
      assertThat(loaded.logits(images, N)).containsExactly(teacher.logits(images, N));
    }
  }

  @Test
  void shouldExplainAMissingTeacher(@TempDir Path dir) {
    assertThatThrownBy(() -> DjlTeacher.load(dir, 10, 16))
        .isInstanceOf(TeacherException.class)
        .hasMessageContaining("no teacher in " + dir)
        .hasMessageContaining("distill teacher train");
  }
}
