package org.convexdistill.app;

import io.micrometer.core.instrument.Counter;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.convexdistill.core.data.Images;
import org.convexdistill.core.data.LabeledImages;
import org.convexdistill.core.teacher.Hybrid;
import org.convexdistill.ingest.device.SimulatedDevices;
import org.convexdistill.learner.evaluation.HybridEvaluation;
import org.convexdistill.learner.stream.LearnerConfig;
import org.convexdistill.learner.stream.RefitOutcome;
import org.convexdistill.learner.stream.StreamingLearner;

/**
 * The streaming demo: the whole service on a {@link LocalStack}; simulated devices publish
 * Fashion-MNIST test images, HTTP clients measure latency meanwhile, a progress line every 5 s; it
 * ends once {@code versions} student versions are live and compares what is served with the teacher
 * on held-out images (the only place labels are read).
 */
public final class DemoRun {
  private DemoRun() {}

  /**
   * What the demo does.
   *
   * @param images distinct test images the devices cycle through
   * @param versions end once this many student versions are live, or this many candidates were
   *     judged by the learner's gate and serving runs the last one published
   * @param evalImages held-out test images of the final comparison
   * @param maxMinutes stop waiting for the learner after this long
   * @param rate images per second the devices send
   * @param devices simulated devices
   * @param probeClients HTTP clients measuring latency meanwhile
   * @param teacherEpochs epochs when a teacher must be trained first
   * @param retrain train a new teacher even when a fitting one is cached
   * @param accuracyFloor refuse a teacher below this test accuracy
   */
  public record Settings(
      LocalStack.Settings stack,
      java.nio.file.Path data,
      int images,
      int versions,
      int evalImages,
      double maxMinutes,
      double rate,
      int devices,
      int probeClients,
      int teacherEpochs,
      boolean retrain,
      double accuracyFloor,
      int torchThreads) {
    public Settings {
      if (images < 1 || evalImages < 1 || versions < 1 || !(maxMinutes > 0)) {
        throw new UserException(
            "--images, --eval-images and --versions must be >= 1, --max-minutes > 0");
      }
      if (rate < 0 || devices < 1 || probeClients < 0 || teacherEpochs < 1 || torchThreads < 1) {
        throw new UserException(
            "--rate >= 0, --devices >= 1, --probe-clients >= 0, --teacher-epochs >= 1,"
                + " --torch-threads >= 1");
      }
    }
  }

  /**
   * The demo's headline figures.
   *
   * @param servedVersion the version that answered the held-out images (0 = the teacher)
   */
  public record Report(
      long versionsPublished,
      long servedVersion,
      double servedAccuracy,
      double teacherAccuracy,
      double agreement,
      int heldOutImages,
      double p50Ms,
      double p99Ms,
      long failedRequests,
      double seconds) {}

  /** Runs the demo to its summary, printing progress and the summary on {@code out}. */
  public static Report run(Settings settings, PrintStream out) throws Exception {
    out.println("== convex-distill streaming demo");
    LocalStack.configureTorchThreads(settings.torchThreads());
    DemoData.Split split =
        DemoData.split(DataLocation.resolve(settings.data(), out), settings.evalImages());
    Images stream = split.stream().slice(0, Math.min(settings.images(), split.stream().count()));
    LabeledImages eval = split.eval();
    TeacherProvider.Provided teacher =
        TeacherProvider.ensure(
            out,
            new TeacherProvider.Request(
                settings.stack().teacherDir(), settings.teacherEpochs(), settings.retrain()),
            split.train(),
            split.test(),
            split.dir());
    try {
      TeacherProvider.requireAccuracy(
          teacher.card(), settings.accuracyFloor(), settings.stack().teacherDir());
    } catch (UserException e) {
      teacher.teacher().close();
      throw e;
    }
    out.println();
    LearnerConfig learner = settings.stack().learner();
    long t0 = System.nanoTime();
    try (LocalStack s = LocalStack.start(settings.stack(), teacher.teacher())) {
      int port = s.serving().port();
      out.printf(
          "kafka: %s (%s) | http: http://127.0.0.1:%d (POST /v1/predict, GET /metrics)%n",
          s.bootstrap(), s.broker() != null ? "embedded KRaft broker" : "external cluster", port);
      out.printf(
          "devices: %d publishing %d unlabeled test images (in a loop) at %.0f/s; held out for"
              + " evaluation: %d; ends when %d versions are live or %d candidates were judged%n",
          settings.devices(),
          stream.count(),
          settings.rate(),
          eval.count(),
          settings.versions(),
          settings.versions());
      out.printf(
          "learner: window %d, refit every %d rows or %d s, budget %,d parameters, %d gates;"
              + " a candidate goes live only with >= %.0f%% top-1 agreement with the teacher"
              + " (until then the teacher serves)%n%n",
          learner.windowSize(),
          learner.refitEvery(),
          learner.refitInterval().toSeconds(),
          learner.maxParams(),
          learner.gates(),
          100 * learner.minAgreement());
      AtomicBoolean stop = new AtomicBoolean();
      SimulatedDevices[] devicesHandle = new SimulatedDevices[1];
      Thread publisher =
          s.devices(stream, settings.devices(), settings.rate(), true, stop, devicesHandle);
      LatencyProbe probe = new LatencyProbe(port, eval.images(), settings.probeClients(), 20);
      long deadline = t0 + (long) (settings.maxMinutes() * 60e9);
      long lastLine = 0;
      long lastOut = 0;
      long lastTick = System.nanoTime();
      int eventsShown = 0;
      while (true) {
        Thread.sleep(250);
        long now = System.nanoTime();
        List<StreamingLearner.Event> events = s.events();
        for (; eventsShown < events.size(); eventsShown++) {
          StreamingLearner.Event e = events.get(eventsShown);
          out.printf(
              "[%5.0fs] refit %s%s%n",
              (now - t0) / 1e9,
              e.version() > 0 ? "-> version " + e.version() : e.outcome().tag() + ": " + e.reason(),
              e.refit() == null
                  ? ""
                  : String.format(
                      " (%s start, %d iterations, %.0f s solver, %d units, rel. gap %.2g,"
                          + " agreement with the teacher %.1f%%)",
                      e.refit().warm() ? "warm" : "cold",
                      e.refit().iterations(),
                      e.refit().solverSeconds(),
                      e.refit().student().hiddenUnits(),
                      e.refit().loosestRelativeGap(),
                      100 * e.refit().candidateAgreement()));
        }
        double outCount = count(s, "distill.images.out") + deadLettered(s);
        long servedVersion = s.serving().registry().current().version();
        long lastPublished =
            events.stream().mapToLong(StreamingLearner.Event::version).max().orElse(0);
        // Done when enough versions are live, or when as many candidates were judged (the gate may
        // turn them down: the teacher keeps serving) and serving runs the last one published.
        boolean settled =
            servedVersion >= settings.versions()
                || (events.size() >= settings.versions() && servedVersion == lastPublished);
        if (now - lastLine >= 5e9 || settled) {
          double secs = (now - lastTick) / 1e9;
          List<LatencyProbe.Sample> recent = probe.since(lastLine == 0 ? t0 : lastLine);
          out.printf(
              "[%5.0fs] sent %5d | ingested %5.0f (%4.0f/s) | window %4d/%d | refits %s | serving v%d"
                  + " p50 %5.1f ms p99 %5.1f ms | failed %d%n",
              (now - t0) / 1e9,
              devicesHandle[0].sent(),
              outCount,
              (outCount - lastOut) / secs,
              s.learner().windowFill(),
              learner.windowSize(),
              refitSummary(s.events()),
              s.serving().registry().current().version(),
              LatencyProbe.quantileMs(recent, 0.5),
              LatencyProbe.quantileMs(recent, 0.99),
              probe.failures());
          lastLine = now;
          lastOut = (long) outCount;
          lastTick = now;
        }
        if (settled) {
          break;
        }
        if (now > deadline) {
          out.printf(
              "time limit of %.0f minutes reached; summarising what ran%n", settings.maxMinutes());
          break;
        }
      }
      stop.set(true);
      publisher.join(10_000);
      probe.close();
      return summary(out, s, probe, eval, (System.nanoTime() - t0) / 1e9, settings);
    }
  }

  private static double count(LocalStack s, String name) {
    Counter c = s.registry().find(name).counter();
    return c == null ? 0 : c.count();
  }

  private static double deadLettered(LocalStack s) {
    Counter c = s.registry().find("distill.dead.letter").tag("stage", "ingest").counter();
    return c == null ? 0 : c.count();
  }

  private static String refitSummary(List<StreamingLearner.Event> events) {
    long published = events.stream().filter(e -> e.outcome() == RefitOutcome.PUBLISHED).count();
    long rejected = events.stream().filter(e -> e.outcome() == RefitOutcome.REJECTED).count();
    return String.format("%d published, %d rejected", published, rejected);
  }

  private static Report summary(
      PrintStream out,
      LocalStack s,
      LatencyProbe probe,
      LabeledImages eval,
      double seconds,
      Settings settings)
      throws Exception {
    out.println();
    out.println("== Summary");
    List<StreamingLearner.Event> events = s.events();
    Map<Long, Long> live = s.liveAtMillis();
    out.printf(
        "%-8s %-9s %6s %8s %9s %10s %10s %7s %9s %11s%n",
        "version",
        "start",
        "units",
        "iters",
        "solver s",
        "rel.gap",
        "held MSE",
        "agree",
        "refit s",
        "to live s");
    int coldIters = -1;
    List<Integer> warmIters = new ArrayList<>();
    for (StreamingLearner.Event e : events) {
      if (e.refit() == null) {
        out.printf("%-8s failed: %s%n", "-", e.reason());
        continue;
      }
      var r = e.refit();
      Long liveAt = live.get(e.version());
      out.printf(
          "%-8s %-9s %6d %8d %9.1f %10.1e %10.4f %6.1f%% %9.1f %11s%s%n",
          e.version() > 0 ? "v" + e.version() : "-",
          r.warm() ? "warm" : "cold",
          r.student().hiddenUnits(),
          r.iterations(),
          r.solverSeconds(),
          r.loosestRelativeGap(),
          r.candidateMse(),
          100 * r.candidateAgreement(),
          // Trigger → published; a rejected candidate was never published: its solver time.
          e.publishedAtMillis() > 0
              ? (e.publishedAtMillis() - e.triggeredAtMillis()) / 1e3
              : r.solverSeconds(),
          liveAt == null ? "-" : String.format("%.1f", (liveAt - e.triggeredAtMillis()) / 1e3),
          e.outcome() == RefitOutcome.REJECTED ? "  rejected: " + e.reason() : "");
      if (r.warm()) {
        warmIters.add(r.iterations());
      } else if (coldIters < 0) {
        coldIters = r.iterations();
      }
    }
    long published = events.stream().filter(e -> e.version() > 0).count();
    out.printf(
        "versions: %d published, %.0f swapped in by serving, %.0f rejected by serving%n",
        published,
        s.serving().metrics().swaps("accepted"),
        s.serving().metrics().swaps("rejected"));
    if (coldIters > 0 && !warmIters.isEmpty()) {
      out.printf(
          "warm vs cold refit iterations: cold %d, warm median %d (ratio %.2f)%n",
          coldIters, median(warmIters), (double) median(warmIters) / coldIters);
    }
    // Freshness: window full (or refit trigger) -> version live on the serving node.
    for (StreamingLearner.Event e : events) {
      Long liveAt = live.get(e.version());
      if (e.version() > 0 && liveAt != null) {
        double refit = (e.publishedAtMillis() - e.triggeredAtMillis()) / 1e3;
        double toLive = (liveAt - e.triggeredAtMillis()) / 1e3;
        out.printf(
            "freshness v%d: trigger -> live %.1f s = refit %.1f s + publish/load/check %.2f s%n",
            e.version(), toLive, refit, toLive - refit);
      }
    }

    int[] teacher = LocalStack.teacherPredictions(s.ingestTeacher(), eval.images());
    ServedEvaluation.Served served =
        ServedEvaluation.classify(s.serving().port(), settings.stack().modelId(), eval.images());
    int correctServed = 0;
    int correctTeacher = 0;
    int agree = 0;
    for (int i = 0; i < eval.count(); i++) {
      int label = eval.labels()[i];
      correctServed += served.classes()[i] == label ? 1 : 0;
      correctTeacher += teacher[i] == label ? 1 : 0;
      agree += served.classes()[i] == teacher[i] ? 1 : 0;
    }
    long version = served.versions()[0];
    out.printf(
        "held-out images: %d (labels used here only) | served (v%d %s): %.2f%% | teacher: %.2f%%"
            + " | agreement %.2f%%%n",
        eval.count(),
        version,
        version == 0 ? "= teacher" : "student",
        100.0 * correctServed / eval.count(),
        100.0 * correctTeacher / eval.count(),
        100.0 * agree / eval.count());
    // Every published version, not only the one serving at the end: each is run on the same
    // held-out images through the teacher's frozen prefix and suffix.
    for (StreamingLearner.Event e : events) {
      if (e.version() > 0 && e.refit() != null) {
        HybridEvaluation.Figures f =
            HybridEvaluation.evaluate(
                s.ingestTeacher(),
                Hybrid.ofStudents(
                    s.ingestTeacher(), Map.of(settings.stack().block(), e.refit().student())),
                eval,
                256);
        out.printf(
            "  v%d on the held-out images: %.2f%% (teacher %.2f%%), agreement %.2f%%, %d units%n",
            e.version(),
            100 * f.hybridAccuracy(),
            100 * f.teacherAccuracy(),
            100 * f.agreement(),
            e.refit().student().hiddenUnits());
      }
    }
    if (published == 0) {
      double best =
          events.stream()
              .filter(e -> e.refit() != null)
              .mapToDouble(e -> e.refit().candidateAgreement())
              .filter(Double::isFinite)
              .max()
              .orElse(Double.NaN);
      out.printf(
          "no candidate passed the gate (best agreement with the teacher %.1f%%, gate %.0f%%): the"
              + " teacher served every request. Students of a better-trained teacher agree more"
              + " (distill teacher train --epochs 20: 97-98%% here); --min-agreement lowers the"
              + " gate.%n",
          100 * best, 100 * settings.stack().learner().minAgreement());
    }
    List<LatencyProbe.Sample> all = probe.all();
    long failed = all.stream().filter(x -> x.status() != 200).count();
    out.printf(
        "serving latency under the live pipeline (%d requests, %d clients): p50 %.1f ms, p99 %.1f"
            + " ms; failed requests: %d%n",
        all.size(),
        settings.probeClients(),
        LatencyProbe.quantileMs(all, 0.5),
        LatencyProbe.quantileMs(all, 0.99),
        failed);
    out.printf("total %.0f s%n", seconds);
    return new Report(
        published,
        version,
        (double) correctServed / eval.count(),
        (double) correctTeacher / eval.count(),
        (double) agree / eval.count(),
        eval.count(),
        LatencyProbe.quantileMs(all, 0.5),
        LatencyProbe.quantileMs(all, 0.99),
        failed,
        seconds);
  }

  private static int median(List<Integer> v) {
    List<Integer> s = new ArrayList<>(v);
    s.sort(Integer::compare);
    return s.get(s.size() / 2);
  }
}
