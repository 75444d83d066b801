package org.convexdistill.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.convexdistill.core.npy.Npy;
import org.convexdistill.core.npy.NpyArray;
import org.convexdistill.core.npy.NpyDtype;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs the real {@code distill} command line in-process on real files. */
class DistillCommandTest {
  @TempDir static Path dir;
  static Path z;
  static Path y;
  static Path g;

  record Run(int exitCode, String out, String err) {
    JsonNode json() throws Exception {
      return new ObjectMapper().readTree(out);
    }
  }

  @BeforeAll
  static void copyBundledProblem() throws Exception {
    z = copy("Z.npy");
    y = copy("Y.npy");
    g = copy("G.npy");
  }

  private static Path copy(String name) throws Exception {
    Path target = dir.resolve(name);
    try (InputStream in = DistillCommandTest.class.getResourceAsStream("/demo/" + name)) {
      Files.write(target, in.readAllBytes());
    }
    return target;
  }

  static synchronized Run run(String... args) {
    PrintStream oldOut = System.out;
    PrintStream oldErr = System.err;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    try {
      System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
      System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
      int code = Distill.commandLine().execute(args);
      return new Run(
          code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(oldOut);
      System.setErr(oldErr);
    }
  }

  @Test
  void shouldPrintOneJsonObjectWithTheDocumentedFields() throws Exception {
    Path u = dir.resolve("U.npy");
    Run r =
        run(
            "solve",
            "--z",
            z.toString(),
            "--y",
            y.toString(),
            "--gates",
            g.toString(),
            "--lambda",
            "0.003976",
            "--json",
            "--out",
            u.toString());
    assertThat(r.exitCode()).isZero();
    assertThat(r.out().strip().lines()).hasSize(1);
    JsonNode json = r.json();
    for (String key :
        new String[] {
          "objective",
          "loss",
          "penalty",
          "relative_gap",
          "iterations",
          "stop_reason",
          "seconds",
          "nonzero_groups",
          "total_groups",
          "lambda_max",
          "gflops"
        }) {
      assertThat(json.has(key)).as(key).isTrue();
    }
    // The independent float64 optimum for this case is 0.176655690651144.
    assertThat(Math.abs(json.get("objective").asDouble() - 0.176655690651144) / 0.176655690651144)
        .isLessThan(1e-4);
    assertThat(json.get("stop_reason").asText()).isEqualTo("duality_gap");
    assertThat(json.get("total_groups").asInt()).isEqualTo(48);
    assertThat(Npy.read(u).shape()).containsExactly(3, 16, 20);

    Run warm =
        run(
            "solve",
            "--z",
            z.toString(),
            "--y",
            y.toString(),
            "--gates",
            g.toString(),
            "--lambda",
            "0.003976",
            "--json",
            "--warm-start",
            u.toString());
    assertThat(warm.exitCode()).isZero();
    assertThat(warm.json().get("iterations").asInt())
        .isLessThan(json.get("iterations").asInt() / 4);
  }

  @Test
  void shouldDrawSeededGatesWhenAskedForANumber() throws Exception {
    Run a =
        run(
            "solve",
            "--z",
            z.toString(),
            "--y",
            y.toString(),
            "--num-gates",
            "8",
            "--seed",
            "3",
            "--lambda",
            "0.002",
            "--json");
    Run b =
        run(
            "solve",
            "--z",
            z.toString(),
            "--y",
            y.toString(),
            "--num-gates",
            "8",
            "--seed",
            "3",
            "--lambda",
            "0.002",
            "--json");
    assertThat(a.exitCode()).isZero();
    assertThat(a.json().get("total_groups").asInt()).isEqualTo(24);
    assertThat(a.json().get("objective").asDouble())
        .isEqualTo(b.json().get("objective").asDouble());
  }

  @Test
  void shouldWalkThePathAndSelectForTheBudget() throws Exception {
    Run r =
        run(
            "path",
            "--z",
            z.toString(),
            "--y",
            y.toString(),
            "--gates",
            g.toString(),
            "--points",
            "6",
            "--target-groups",
            "10",
            "--json");
    assertThat(r.exitCode()).isZero();
    JsonNode json = r.json();
    int selected = json.get("selected").asInt();
    JsonNode chosen = json.get("points").get(selected);
    assertThat(chosen.get("nonzero_groups").asInt()).isBetween(1, 10);
    assertThat(chosen.get("student_params").asInt())
        .isEqualTo(chosen.get("nonzero_groups").asInt() * 21);
  }

  @Test
  void shouldReportBenchFiguresAsJson() throws Exception {
    Run r =
        run(
            "bench",
            "solver",
            "--n",
            "300",
            "--d",
            "32",
            "--c",
            "4",
            "--gates",
            "4",
            "--iters",
            "3",
            "--sgemm-reps",
            "2",
            "--json");
    assertThat(r.exitCode()).isZero();
    JsonNode json = r.json();
    assertThat(json.get("solver_gflops").asDouble()).isPositive();
    assertThat(json.get("sgemm_gflops").asDouble()).isPositive();
    assertThat(json.get("efficiency").asDouble())
        .isEqualTo(json.get("solver_gflops").asDouble() / json.get("sgemm_gflops").asDouble());
    assertThat(json.get("threads").asInt()).isPositive();
  }

  @Test
  void shouldListSubcommandsInHelp() {
    Run r = run("--help");
    assertThat(r.exitCode()).isZero();
    assertThat(r.out()).contains("demo", "solve", "path", "bench");
  }

  // ---- bad input: exit code 2 and exactly one line, never a stack trace ----

  private static void assertUserError(Run r, String expected) {
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err().strip().lines()).as(r.err()).hasSize(1);
    assertThat(r.err()).contains(expected).doesNotContain("Exception in", "\tat ");
  }

  @Test
  void shouldRejectAMissingFile() {
    assertUserError(
        run(
            "solve",
            "--z",
            dir.resolve("nope.npy").toString(),
            "--y",
            y.toString(),
            "--gates",
            g.toString(),
            "--lambda",
            "0.01"),
        "file not found: " + dir.resolve("nope.npy"));
  }

  @Test
  void shouldRejectTheWrongDtype() throws Exception {
    Path ints = dir.resolve("ints.npy");
    byte[] bytes = Npy.encode(NpyArray.of(new float[] {1, 2}, 2), NpyDtype.FLOAT32);
    String text = new String(bytes, StandardCharsets.ISO_8859_1).replace("'<f4'", "'<i4'");
    Files.write(ints, text.getBytes(StandardCharsets.ISO_8859_1));
    assertUserError(
        run(
            "solve",
            "--z",
            ints.toString(),
            "--y",
            y.toString(),
            "--gates",
            g.toString(),
            "--lambda",
            "0.01"),
        "dtype '<i4' is not supported");
  }

  @Test
  void shouldRejectNanAndInfinity() throws Exception {
    NpyArray zArray = Npy.read(z);
    float[] data = zArray.data().clone();
    data[25] = Float.NaN;
    Path bad = dir.resolve("nan.npy");
    Npy.write(bad, NpyArray.of(data, zArray.shape()));
    assertUserError(
        run(
            "solve",
            "--z",
            bad.toString(),
            "--y",
            y.toString(),
            "--gates",
            g.toString(),
            "--lambda",
            "0.01"),
        "Z contains NaN at [1, 5]");
  }

  @Test
  void shouldRejectNegativeLambdaAndAMissingLambda() {
    assertUserError(
        run(
            "solve",
            "--z",
            z.toString(),
            "--y",
            y.toString(),
            "--gates",
            g.toString(),
            "--lambda",
            "-1"),
        "--lambda must be a finite number >= 0, got -1.0");
    assertUserError(
        run("solve", "--z", z.toString(), "--y", y.toString(), "--gates", g.toString()),
        "Missing required option: '--lambda=L'");
    assertUserError(
        run(
            "solve",
            "--z",
            z.toString(),
            "--y",
            y.toString(),
            "--gates",
            g.toString(),
            "--lambda",
            "abc"),
        "Invalid value for option '--lambda'");
  }

  @Test
  void shouldRejectGatesWhoseDimensionDoesNotMatchZ() throws Exception {
    Path wrong = dir.resolve("G8.npy");
    Npy.write(wrong, NpyArray.of(new float[8 * 4], 8, 4));
    assertUserError(
        run(
            "solve",
            "--z",
            z.toString(),
            "--y",
            y.toString(),
            "--gates",
            wrong.toString(),
            "--lambda",
            "0.01"),
        "G has 8 rows but Z has d = 20 columns");
  }

  @Test
  void shouldRejectAWarmStartOfTheWrongShape() throws Exception {
    Path u = dir.resolve("U-wrong.npy");
    Npy.write(u, NpyArray.of(new float[2 * 16 * 20], 2, 16, 20));
    assertUserError(
        run(
            "solve",
            "--z",
            z.toString(),
            "--y",
            y.toString(),
            "--gates",
            g.toString(),
            "--lambda",
            "0.01",
            "--warm-start",
            u.toString()),
        "weights have shape (2, 16, 20) but the problem needs (C, P, d) = (3, 16, 20)");
  }

  @Test
  void shouldRejectGatesGivenTwice() {
    assertUserError(
        run(
            "solve",
            "--z",
            z.toString(),
            "--y",
            y.toString(),
            "--gates",
            g.toString(),
            "--num-gates",
            "4",
            "--lambda",
            "0.01"),
        "mutually exclusive");
  }
}
