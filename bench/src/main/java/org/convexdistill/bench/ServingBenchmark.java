package org.convexdistill.bench;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.convexdistill.app.DataLocation;
import org.convexdistill.app.LocalStack;
import org.convexdistill.app.TeacherProvider;
import org.convexdistill.core.data.FashionMnist;
import org.convexdistill.core.data.Images;
import org.convexdistill.core.stream.OffsetRange;
import org.convexdistill.core.stream.StudentRelease;
import org.convexdistill.core.student.StudentBlock;
import org.convexdistill.core.student.StudentFormat;
import org.convexdistill.learner.offline.Activations;
import org.convexdistill.learner.stream.ActivationWindow;
import org.convexdistill.learner.stream.LearnerConfig;
import org.convexdistill.learner.stream.Refitter;
import org.convexdistill.learner.stream.TeacherSuffix;
import org.convexdistill.runtime.kafka.KafkaConnection;
import org.convexdistill.serving.ReleasePolicy;
import org.convexdistill.serving.ServingConfig;
import org.convexdistill.serving.ServingMetrics;
import org.convexdistill.serving.ServingNode;
import org.convexdistill.teacher.DjlTeacher;

/**
 * HTTP latency of the full teacher vs the hybrid (prefix + student + suffix) at batch 1, with
 * dynamic batching, and during a burst of student swaps; serving in this process, the broker and
 * the release publisher in a child one ({@link ReleaseSidecar}), load on loopback.
 */
public final class ServingBenchmark {
  static final String MODEL = "bench-block4";

  /** The benchmark's settings (the {@code distill bench} flags). */
  public record Settings(
      Path teacherDir,
      Path studentFile,
      int requests,
      int clients,
      Path data,
      long swapIntervalMs,
      int wrkSeconds,
      int batchWorkers,
      int brokerNice,
      int rounds) {}

  private final Path teacherDir;
  private final Path studentFile;
  private final int requests;
  private final int clients;
  private final Path data;
  private final long swapIntervalMs;
  private final int wrkSeconds; // 0: in-process Java clients; else wrk phases of this length
  private final int batchWorkers;
  private final int brokerNice;
  private final int rounds;

  private ServingBenchmark(Settings s) {
    this.teacherDir = s.teacherDir();
    this.studentFile = s.studentFile();
    this.requests = s.requests();
    this.clients = s.clients();
    this.data = s.data();
    this.swapIntervalMs = s.swapIntervalMs();
    this.wrkSeconds = s.wrkSeconds();
    this.batchWorkers = s.batchWorkers();
    this.brokerNice = s.brokerNice();
    this.rounds = s.rounds();
  }

  /** Runs the benchmark, printing its table on {@code out}. */
  public static void run(Settings s, PrintStream out) throws Exception {
    new ServingBenchmark(s).run(out);
  }

  private void run(PrintStream out) throws Exception {
    Images images =
        FashionMnist.load(DataLocation.resolve(data, out), FashionMnist.Split.TEST).images();
    if (wrkSeconds > 0) {
      // As `distill serving` does: the cores shared out among the batch workers.
      LocalStack.configureTorchThreads(ServingConfig.torchThreadsFor(batchWorkers));
    }
    try (DjlTeacher teacher =
            DjlTeacher.load(teacherDir, FashionMnist.CLASSES.length, TeacherProvider.BATCH);
        ReleaseSidecar sidecar = ReleaseSidecar.start(brokerNice)) {
      StudentBlock student =
          studentFile != null ? StudentFormat.read(studentFile) : fit(teacher, images, out);
      byte[] template = release(student, 2);
      out.printf(
          "student: %d hidden units, %,d parameters (teacher block 4: %,d), a release of %.1f MB%n",
          student.hiddenUnits(),
          student.parameterCount(),
          teacher.blockParameters(4),
          template.length / 1e6);
      out.printf(
          "broker and release publisher: a child JVM at niceness %d (%s)%n",
          brokerNice,
          brokerNice > 0 ? "off serving's share of the cores" : "competing with serving");
      // Encoded once, up front, with the version patched per send: the learner encodes in its
      // own process, so a swap should cost serving only what serving does.
      sidecar.load(template, VERSION_AT);
      String bootstrap = sidecar.bootstrapServers();
      if (wrkSeconds > 0) {
        runWrk(bootstrap, teacher, sidecar, images, out);
        return;
      }
      ServingConfig single = new ServingConfig(0, 1, Duration.ZERO, 1024, 1 << 20, 32, 10);
      ServingConfig batched = new ServingConfig(0, 16, Duration.ofMillis(2), 1024, 1 << 20, 32, 10);
      out.printf(
          "%-44s %9s %9s %9s %9s %7s%n", "phase", "req/s", "p50 ms", "p99 ms", "max ms", "failed");
      try (ServingNode one = node(bootstrap, teacher, single)) {
        Phase t1 = run("teacher, batch 1, 1 client", one.port(), images, 1, requests, null);
        Phase tn =
            run(
                "teacher, batch 1, " + clients + " clients",
                one.port(),
                images,
                clients,
                requests,
                null);
        sidecar.publish(1);
        await(one, 1);
        Phase h1 = run("hybrid, batch 1, 1 client", one.port(), images, 1, requests, null);
        Phase hn =
            run(
                "hybrid, batch 1, " + clients + " clients",
                one.port(),
                images,
                clients,
                requests,
                null);
        out.printf(
            "hybrid / teacher at batch 1, 1 client: p50 %.2f, p99 %.2f%n",
            h1.p50 / t1.p50, h1.p99 / t1.p99);
        out.printf(
            "hybrid / teacher at batch 1, %d clients: p50 %.2f, p99 %.2f%n",
            clients, hn.p50 / tn.p50, hn.p99 / tn.p99);
      }
      try (ServingNode node = node(bootstrap, teacher, batched)) {
        await(node, 1);
        Phase steady =
            run(
                "hybrid, dynamic batching (16, 2 ms), " + clients + " clients",
                node.port(),
                images,
                clients,
                requests,
                null);
        Runnable swap = swapper(sidecar);
        Phase burst =
            run(
                "same, new version every " + swapIntervalMs + " ms (swap burst)",
                node.port(),
                images,
                clients,
                requests,
                swap);
        out.printf(
            "swap burst: %d versions swapped in during the phase; p99 burst / steady = %.2f; failed %d%n",
            (long) node.metrics().swaps("accepted") - 1, burst.p99 / steady.p99, burst.failed);
      }
    }
  }

  /** Where a release's version field sits: after its magic, format, model id and teacher id. */
  private static final int VERSION_AT = 8 + 2 + MODEL.length() + 2 + "bench".length() + 4;

  /** Publishes versions 2, 3, ... of the loaded release, one per call, each acknowledged. */
  private static Runnable swapper(ReleaseSidecar sidecar) {
    AtomicLong next = new AtomicLong(2);
    return () -> {
      try {
        sidecar.publish(next.getAndIncrement());
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    };
  }

  /**
   * The wrk phases: teacher-only and hybrid under dynamic batching, then the hybrid during one swap
   * per second and during a swap every {@code swapIntervalMs}, bracketed by two steady phases (the
   * swap ratios divide by their mean, so drift over the run does not pass for a swap's cost).
   */
  private void runWrk(
      String bootstrap, DjlTeacher teacher, ReleaseSidecar sidecar, Images images, PrintStream out)
      throws Exception {
    ServingConfig batched =
        new ServingConfig(0, 16, Duration.ofMillis(2), 1024, 1 << 20, 32, 10)
            .withBatchWorkers(batchWorkers);
    int threads = Math.max(1, Math.min(2, clients));
    int cores = Runtime.getRuntime().availableProcessors();
    int torchThreads = ServingConfig.torchThreadsFor(batchWorkers);
    // With the Java kernel a worker's pass runs on the worker's own thread: PyTorch threads
    // then only size the few engine calls left, so the line says which kernel ran.
    out.printf(
        "wrk: %d connections on %d threads, %d s per phase, PNG bodies (%d test images);"
            + " serving: %d batch workers, teacher convolutions: %s, batches of <= 16 within 2"
            + " ms%n",
        clients,
        threads,
        wrkSeconds,
        Math.min(1000, images.count()),
        batchWorkers,
        DjlTeacher.javaKernel()
            ? "Java (one thread per worker)"
            : "PyTorch (" + torchThreads + " threads per worker)");
    out.printf(
        "%-44s %9s %9s %9s %9s %9s %7s %7s %7s %6s%n",
        "phase", "req/s", "p50 ms", "p99 ms", "max ms", "swaps", "failed", "batch", "ms/img",
        "busy");
    out.println(
        "(batch: mean images per pass; ms/img: pass time per image; busy: pass time / wall time,"
            + " summed over workers)");
    try (WrkLoad wrk = WrkLoad.prepare(images, 1000);
        ServingNode node = node(bootstrap, teacher, batched)) {
      String url = "http://127.0.0.1:" + node.port() + "/v1/predict";
      wrk.run(url, clients, threads, Math.min(10, wrkSeconds)); // warm-up: JIT, first batches
      WrkLoad.Result teacherOnly =
          wrkPhase("teacher only, dynamic batching", wrk, url, threads, node, null, 0, out);
      sidecar.publish(1);
      await(node, 1);
      wrk.run(url, clients, threads, Math.min(10, wrkSeconds));
      WrkLoad.Result before =
          wrkPhase("hybrid, dynamic batching", wrk, url, threads, node, null, 0, out);
      Runnable swap = swapper(sidecar);
      // Rounds of (a swap a second, a swap every interval, steady): each round's ratios divide by
      // the mean p99 of the steady phases either side of it, and the median over rounds is the
      // figure, because one phase's p99 on a shared machine moves by ±15 % on its own.
      double[] perSecondRatios = new double[rounds];
      double[] burstRatios = new double[rounds];
      WrkLoad.Result steadyBefore = before;
      WrkLoad.Result after = before;
      for (int r = 0; r < rounds; r++) {
        WrkLoad.Result perSecond =
            wrkPhase(
                "hybrid, a new version every 1000 ms", wrk, url, threads, node, swap, 1000, out);
        WrkLoad.Result burst =
            wrkPhase(
                "hybrid, a new version every " + swapIntervalMs + " ms",
                wrk,
                url,
                threads,
                node,
                swap,
                swapIntervalMs,
                out);
        after = wrkPhase("hybrid, dynamic batching (again)", wrk, url, threads, node, null, 0, out);
        double steady = (steadyBefore.p99() + after.p99()) / 2;
        perSecondRatios[r] = perSecond.p99() / steady;
        burstRatios[r] = burst.p99() / steady;
        steadyBefore = after;
      }
      WrkLoad.Result oneWorker = null;
      if (batchWorkers > 1) {
        // A node with one worker using every core (the first one idles): what the workers buy,
        // measured in the same run.
        DjlTeacher.setIntraOpThreads(cores);
        try (ServingNode single = node(bootstrap, teacher, batched.withBatchWorkers(1))) {
          await(single, node.registry().current().version());
          String u = "http://127.0.0.1:" + single.port() + "/v1/predict";
          wrk.run(u, clients, threads, Math.min(5, wrkSeconds));
          oneWorker =
              wrkPhase(
                  DjlTeacher.javaKernel()
                      ? "hybrid, 1 worker"
                      : "hybrid, 1 worker x " + cores + " PyTorch threads",
                  wrk,
                  u,
                  threads,
                  single,
                  null,
                  0,
                  out);
        } finally {
          DjlTeacher.setIntraOpThreads(torchThreads);
        }
      }
      out.printf(
          "hybrid / teacher-only throughput: %.2f%n", before.perSecond() / teacherOnly.perSecond());
      out.printf(
          "p99 during swaps / steady (steady phases either side), %d rounds: every 1000 ms %s"
              + " (median %.2f); every %d ms %s (median %.2f)%n",
          rounds,
          ratios(perSecondRatios),
          median(perSecondRatios),
          swapIntervalMs,
          ratios(burstRatios),
          median(burstRatios));
      if (oneWorker != null) {
        out.printf(
            "%d workers / 1 worker (hybrid throughput): %.2f%n",
            batchWorkers, (before.perSecond() + after.perSecond()) / 2 / oneWorker.perSecond());
      }
    }
  }

  private WrkLoad.Result wrkPhase(
      String name,
      WrkLoad wrk,
      String url,
      int threads,
      ServingNode node,
      Runnable swap,
      long intervalMs,
      PrintStream out)
      throws Exception {
    double swapsBefore = node.metrics().swaps("accepted");
    ServingMetrics.BatchTotals batchesBefore = node.metrics().batchTotals();
    AtomicBoolean done = new AtomicBoolean();
    Thread swapper = swap == null ? null : startSwapper(swap, intervalMs, done);
    WrkLoad.Result r;
    try {
      r = wrk.run(url, clients, threads, wrkSeconds);
    } finally {
      done.set(true);
      if (swapper != null) {
        swapper.join();
      }
    }
    ServingMetrics.BatchTotals b = node.metrics().batchTotals();
    long batches = b.batches() - batchesBefore.batches();
    double images = b.images() - batchesBefore.images();
    double busy = b.seconds() - batchesBefore.seconds();
    out.printf(
        "%-44s %9.1f %9.2f %9.2f %9.2f %9d %7d %7.1f %7.2f %6.2f%n",
        name,
        r.perSecond(),
        r.p50(),
        r.p99(),
        r.max(),
        (long) (node.metrics().swaps("accepted") - swapsBefore),
        r.failed(),
        images / Math.max(1, batches),
        busy * 1e3 / Math.max(1, images),
        busy / r.seconds());
    return r;
  }

  private static String ratios(double[] r) {
    StringBuilder b = new StringBuilder();
    for (double v : r) {
      b.append(b.length() == 0 ? "" : ", ").append(String.format(java.util.Locale.ROOT, "%.2f", v));
    }
    return b.toString();
  }

  private static double median(double[] r) {
    double[] s = r.clone();
    Arrays.sort(s);
    return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  }

  /** Runs {@code swap} every {@code intervalMs} until {@code done}; the thread is started. */
  private static Thread startSwapper(Runnable swap, long intervalMs, AtomicBoolean done) {
    Thread t =
        new Thread(
            () -> {
              while (!done.get()) {
                swap.run();
                try {
                  Thread.sleep(intervalMs);
                } catch (InterruptedException e) {
                  return;
                }
              }
            },
            "bench-swapper");
    t.start();
    return t;
  }

  private static ServingNode node(String bootstrap, DjlTeacher teacher, ServingConfig c) {
    return ServingNode.start(
        KafkaConnection.of(bootstrap),
        teacher,
        4,
        MODEL,
        c,
        new PrometheusMeterRegistry(PrometheusConfig.DEFAULT),
        // The benchmark publishes its own releases; what is measured is the swap, not the checks.
        ReleasePolicy.permissive());
  }

  /**
   * A student as the learner fits it with its defaults (window, gates, budget, the teacher's head
   * in the loss), on test images: what a swap brings serving is then the size a live release is.
   */
  private StudentBlock fit(DjlTeacher teacher, Images images, PrintStream out) {
    LearnerConfig config = LearnerConfig.builder().setModelId(MODEL).build();
    int n = Math.min(config.windowSize(), images.count());
    out.printf(
        "fitting a student of block 4 with the learner's defaults on %,d test images...%n", n);
    Activations a = Activations.extract(teacher, images.slice(0, n), 4);
    ActivationWindow w = new ActivationWindow(n, a.inputs().dim(1), a.outputs().dim(1));
    for (int i = 0; i < n; i++) {
      w.add(0, i, a.inputs().data(), i, a.outputs().data());
    }
    return new Refitter(config, TeacherSuffix.of(teacher, 4))
        .fit(w.snapshot(), null, null, null, 0)
        .student();
  }

  private static byte[] release(StudentBlock s, long version) {
    return new StudentRelease(
            MODEL,
            "bench",
            4,
            version,
            version - 1,
            0,
            0,
            0,
            0,
            Double.NaN,
            0,
            0,
            0,
            s.hiddenUnits(),
            s.parameterCount(),
            System.currentTimeMillis(),
            version > 1,
            List.of(new OffsetRange(0, 0, 0)),
            s)
        .encode();
  }

  private static void await(ServingNode node, long version) throws InterruptedException {
    long end = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (node.registry().current().version() < version && System.nanoTime() < end) {
      Thread.sleep(10);
    }
  }

  private record Phase(double p50, double p99, long failed) {}

  /** Runs {@code perClient} requests on each of {@code clients} threads; prints one line. */
  private Phase run(
      String name, int port, Images images, int clients, int perClient, Runnable periodic)
      throws Exception {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    URI uri = URI.create("http://127.0.0.1:" + port + "/v1/predict");
    // Warm-up: JIT and the first batch.
    for (int i = 0; i < 20; i++) {
      send(http, uri, images, i);
    }
    long[][] lat = new long[clients][perClient];
    AtomicLong failed = new AtomicLong();
    AtomicBoolean done = new AtomicBoolean();
    Thread swapper = periodic == null ? null : startSwapper(periodic, swapIntervalMs, done);
    List<Thread> threads = new ArrayList<>();
    long t0 = System.nanoTime();
    for (int c = 0; c < clients; c++) {
      int id = c;
      Thread t =
          new Thread(
              () -> {
                for (int i = 0; i < perClient; i++) {
                  long s = System.nanoTime();
                  int status = send(http, uri, images, id * perClient + i);
                  lat[id][i] = System.nanoTime() - s;
                  if (status != 200) {
                    failed.incrementAndGet();
                  }
                }
              });
      t.start();
      threads.add(t);
    }
    for (Thread t : threads) {
      t.join();
    }
    double secs = (System.nanoTime() - t0) / 1e9;
    done.set(true);
    if (swapper != null) {
      swapper.join();
    }
    long[] all = Arrays.stream(lat).flatMapToLong(Arrays::stream).sorted().toArray();
    double p50 = all[(int) Math.ceil(0.5 * all.length) - 1] / 1e6;
    double p99 = all[(int) Math.ceil(0.99 * all.length) - 1] / 1e6;
    System.out.printf(
        "%-44s %9.1f %9.2f %9.2f %9.2f %7d%n",
        name, all.length / secs, p50, p99, all[all.length - 1] / 1e6, failed.get());
    return new Phase(p50, p99, failed.get());
  }

  private static int send(HttpClient http, URI uri, Images images, int i) {
    try {
      return http.send(
              HttpRequest.newBuilder(uri)
                  .header("Content-Type", "application/x-raw-gray8")
                  .POST(
                      HttpRequest.BodyPublishers.ofByteArray(
                          images.slice(i % images.count(), 1).pixels()))
                  .timeout(Duration.ofSeconds(30))
                  .build(),
              HttpResponse.BodyHandlers.discarding())
          .statusCode();
    } catch (Exception e) {
      return -1;
    }
  }
}
