package org.convexdistill.serving;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.convexdistill.core.stream.StudentRelease;
import org.convexdistill.core.student.Student;

/**
 * The current model and the last K accepted student versions. A new release is checked before it
 * can become current (right model, teacher, block and shapes; at least one unit, within the size
 * ceiling, every stored number finite; a plausible version; agreement with the teacher on the
 * golden set); a rejected one leaves the current model serving. A pinned version stays current
 * until unpinned.
 */
public final class ModelRegistry {
  /**
   * Outcome of offering a release.
   *
   * @param tag bounded name of the outcome (the swap metric's {@code reason}): "ok" or the check
   *     that failed
   * @param reason the full text (the log)
   */
  public record Offer(boolean accepted, String tag, String reason) {
    static Offer refused(String tag, String reason) {
      return new Offer(false, tag, reason);
    }
  }

  private final String modelId;
  private final int block;
  private final ReleasePolicy policy;
  private final int inputSize;
  private final int outputSize;
  private final int keep;
  private final AtomicReference<ServingModel> current =
      new AtomicReference<>(ServingModel.teacher());

  /** The kept versions, oldest first, each as it was published (so a pin records it exactly). */
  private final Map<Long, Kept> history = new LinkedHashMap<>();

  private final List<Consumer<ServingModel>> swapListeners = new ArrayList<>();
  private StudentRelease latest;
  private Long pinned;

  /**
   * @param inputSize d of the block the students replace
   * @param outputSize C of that block
   * @param keep versions kept for pinning / rollback
   */
  public ModelRegistry(String modelId, int inputSize, int outputSize, int keep) {
    this(modelId, -1, inputSize, outputSize, keep, ReleasePolicy.permissive());
  }

  /**
   * @param block the teacher block the students replace (-1 = not checked)
   * @param policy what a release must satisfy beyond its shapes
   */
  public ModelRegistry(
      String modelId, int block, int inputSize, int outputSize, int keep, ReleasePolicy policy) {
    this.modelId = modelId;
    this.block = block;
    this.policy = policy;
    this.inputSize = inputSize;
    this.outputSize = outputSize;
    this.keep = keep;
  }

  /** Called (on the swapping thread) after each change of the current model. */
  public synchronized void onSwap(Consumer<ServingModel> listener) {
    swapListeners.add(listener);
  }

  /** What requests start on now. Lock-free. */
  public ServingModel current() {
    return current.get();
  }

  public String modelId() {
    return modelId;
  }

  /** The checks releases must pass here. */
  public ReleasePolicy policy() {
    return policy;
  }

  /**
   * Where pins go so that every replica, and this one after a restart, holds them: the {@code
   * serving-control} topic. Called outside the registry's lock.
   */
  public interface PinLog {
    /** Records that {@code value} (a release as published, with its signature) is pinned. */
    void pinned(byte[] value, byte[] signature);

    /** Records that nothing is pinned. */
    void unpinned();
  }

  /** A kept release with its record's bytes and signature ({@code value} null: re-encoded). */
  private record Kept(StudentRelease release, byte[] value, byte[] signature) {}

  private volatile PinLog pinLog;

  /** Records pins there from now on (null = this node only, not kept across restarts). */
  public void pinLog(PinLog log) {
    this.pinLog = log;
  }

  /** Checks a release and, if it passes and nothing is pinned, makes it current. */
  public Offer offer(StudentRelease r) {
    return offer(r, null, null);
  }

  /**
   * As {@link #offer(StudentRelease)}, keeping the record's bytes and signature ({@code value}
   * null: re-encoded, unsigned, when pinned).
   */
  public Offer offer(StudentRelease r, byte[] value, byte[] signature) {
    Offer problem = admissible(r);
    if (problem != null) {
      return problem;
    }
    synchronized (this) {
      if (latest != null && r.version() <= latest.version()) {
        return Offer.refused(
            "not-newer", "version " + r.version() + " is not newer than " + latest.version());
      }
      // Relative to an accepted version only: after compaction a restarted node's first release
      // may rightly be version 5,000.
      if (latest != null && r.version() - latest.version() > policy.maxVersionGap()) {
        return Offer.refused(
            "version-gap",
            "version "
                + r.version()
                + " jumps more than "
                + policy.maxVersionGap()
                + " past the latest accepted "
                + latest.version());
      }
      keep(r, value, signature);
      latest = r;
      if (pinned == null) {
        swapTo(ServingModel.of(r));
      }
    }
    return new Offer(true, "ok", "ok");
  }

  /**
   * The checks of the release itself, whatever the registry's state: null when it may serve. Run
   * outside the lock: the golden set runs the teacher's suffix, and pins must not wait for that.
   */
  private Offer admissible(StudentRelease r) {
    Offer problem = check(r);
    return problem != null ? problem : goldenCheck(r.student());
  }

  private Offer goldenCheck(Student s) {
    GoldenSet g = policy.golden();
    if (g == null) {
      return null;
    }
    double a = g.agreement(s);
    if (a < policy.minGoldenAgreement()) {
      return Offer.refused(
          "golden-set",
          String.format(
              java.util.Locale.ROOT,
              "agrees with the teacher on %.1f %% of the %d golden images; at least %.1f %% needed",
              100 * a,
              g.size(),
              100 * policy.minGoldenAgreement()));
    }
    return null;
  }

  private Offer check(StudentRelease r) {
    if (!modelId.equals(r.modelId())) {
      return Offer.refused(
          "foreign-model",
          "release is for model " + r.modelId() + ", this server serves " + modelId);
    }
    if (policy.teacherId() != null && !policy.teacherId().equals(r.teacherId())) {
      return Offer.refused(
          "foreign-teacher",
          "release distils teacher " + r.teacherId() + ", this server's is " + policy.teacherId());
    }
    if (block >= 0 && r.block() != block) {
      return Offer.refused(
          "wrong-block", "release replaces block " + r.block() + ", this server's is " + block);
    }
    Student s = r.student();
    if (s.inputDim() != inputSize || s.outputDim() != outputSize) {
      return Offer.refused(
          "wrong-shape",
          "student maps "
              + s.inputDim()
              + " → "
              + s.outputDim()
              + " values; the block needs "
              + inputSize
              + " → "
              + outputSize);
    }
    if (s.hiddenUnits() < 1) {
      return Offer.refused("no-units", "student has no hidden units (it would answer a constant)");
    }
    if (s.storedParameterCount() > policy.maxParameters()) {
      return Offer.refused(
          "too-large",
          "student stores "
              + s.storedParameterCount()
              + " numbers; this server takes at most "
              + policy.maxParameters());
    }
    String bad = s.firstNonFinite();
    if (bad != null) {
      return Offer.refused("non-finite", "student's " + bad + " hold a NaN or an infinity");
    }
    return null;
  }

  private void keep(StudentRelease r, byte[] value, byte[] signature) {
    history.put(r.version(), new Kept(r, value, signature));
    while (history.size() > keep) {
      Long oldest = history.keySet().iterator().next();
      // The pinned version stays kept whatever arrives after it.
      Long drop =
          oldest.equals(pinned) && history.size() > 1
              ? history.keySet().stream().skip(1).findFirst().orElseThrow()
              : oldest;
      history.remove(drop);
    }
  }

  /**
   * Pins a version kept in the history (rollback when it is older than the latest), recording the
   * pin in the {@link PinLog} first.
   *
   * @return false when that version is not kept
   */
  public boolean pin(long version) {
    Kept k;
    synchronized (this) {
      k = history.get(version);
    }
    if (k == null) {
      return false;
    }
    StudentRelease r = k.release();
    PinLog log = pinLog;
    if (log != null) {
      log.pinned(k.value() != null ? k.value() : r.encode(), k.signature());
    }
    synchronized (this) {
      pinned = version;
      if (current.get().version() != version) {
        swapTo(ServingModel.of(r));
      }
    }
    return true;
  }

  /**
   * A pin read from the control log (another replica's, or this node's before a restart): the
   * release it names is checked as any other and then pinned, even when this node never kept it.
   */
  public Offer applyPin(StudentRelease r, byte[] value, byte[] signature) {
    Offer problem = admissible(r);
    if (problem != null) {
      return problem;
    }
    synchronized (this) {
      pinned = r.version();
      if (!history.containsKey(r.version())) {
        keep(r, value, signature);
      }
      if (current.get().version() != r.version()) {
        swapTo(ServingModel.of(r));
      }
    }
    return new Offer(true, "ok", "ok");
  }

  /** Unpins, recording it: the latest accepted version (or the teacher) becomes current again. */
  public void unpin() {
    PinLog log = pinLog;
    if (log != null) {
      log.unpinned();
    }
    applyUnpin();
  }

  /** An unpin read from the control log. */
  public synchronized void applyUnpin() {
    pinned = null;
    ServingModel next = latest == null ? ServingModel.teacher() : ServingModel.of(latest);
    if (next.version() != current.get().version()) {
      swapTo(next);
    }
  }

  public synchronized Optional<Long> pinned() {
    return Optional.ofNullable(pinned);
  }

  /** The kept versions, newest first. */
  public synchronized List<StudentRelease> history() {
    List<StudentRelease> out = new ArrayList<>();
    history.values().forEach(k -> out.add(k.release()));
    java.util.Collections.reverse(out);
    return out;
  }

  private void swapTo(ServingModel m) {
    current.set(m);
    for (Consumer<ServingModel> l : swapListeners) {
      l.accept(m);
    }
  }
}
