package org.convexdistill.serving;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.convexdistill.core.stream.StudentRelease;
import org.convexdistill.core.student.StudentBlock;

/**
 * The current model and the last K accepted student versions. A new release is checked before it
 * can become current (right model and block shapes, finite output on a probe batch); a rejected one
 * leaves the current model serving. A pinned version stays current until unpinned.
 */
public final class ModelRegistry {
  /** Outcome of offering a release. */
  public record Offer(boolean accepted, String reason) {}

  private final String modelId;
  private final int inputSize;
  private final int outputSize;
  private final int keep;
  private final AtomicReference<ServingModel> current =
      new AtomicReference<>(ServingModel.teacher());
  private final Map<Long, StudentRelease> history = new LinkedHashMap<>();
  private final List<Consumer<ServingModel>> swapListeners = new ArrayList<>();
  private StudentRelease latest;
  private Long pinned;

  /**
   * @param inputSize d of the block the students replace
   * @param outputSize C of that block
   * @param keep versions kept for pinning / rollback
   */
  public ModelRegistry(String modelId, int inputSize, int outputSize, int keep) {
    this.modelId = modelId;
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

  /** Checks a release and, if it passes and nothing is pinned, makes it current. */
  public Offer offer(StudentRelease r) {
    String problem = check(r);
    if (problem != null) {
      return new Offer(false, problem);
    }
    synchronized (this) {
      if (latest != null && r.version() <= latest.version()) {
        return new Offer(
            false, "version " + r.version() + " is not newer than " + latest.version());
      }
      history.put(r.version(), r);
      while (history.size() > keep) {
        history.remove(history.keySet().iterator().next());
      }
      latest = r;
      if (pinned == null) {
        swapTo(ServingModel.of(r));
      }
    }
    return new Offer(true, "ok");
  }

  private String check(StudentRelease r) {
    if (!modelId.equals(r.modelId())) {
      return "release is for model " + r.modelId() + ", this server serves " + modelId;
    }
    StudentBlock s = r.student();
    if (s.inputDim() != inputSize || s.outputDim() != outputSize) {
      return "student maps "
          + s.inputDim()
          + " → "
          + s.outputDim()
          + " values; the block needs "
          + inputSize
          + " → "
          + outputSize;
    }
    // Probe: a forward pass on a fixed input must give finite values.
    int n = 2;
    float[] z = new float[n * inputSize];
    for (int i = 0; i < z.length; i++) {
      z[i] = (float) Math.sin(0.37 * i);
    }
    float[] y = new float[n * outputSize];
    s.forward(z, n, y, s.newWorkspace(n));
    for (float v : y) {
      if (!Float.isFinite(v)) {
        return "student output is not finite on the probe input";
      }
    }
    return null;
  }

  /**
   * Pins a version kept in the history (rollback when it is older than the latest).
   *
   * @return false when that version is not kept
   */
  public synchronized boolean pin(long version) {
    StudentRelease r = history.get(version);
    if (r == null) {
      return false;
    }
    pinned = version;
    swapTo(ServingModel.of(r));
    return true;
  }

  /** Unpins: the latest accepted version (or the teacher, if none) becomes current again. */
  public synchronized void unpin() {
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
    List<StudentRelease> out = new ArrayList<>(history.values());
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
