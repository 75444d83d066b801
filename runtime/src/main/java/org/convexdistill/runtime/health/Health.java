package org.convexdistill.runtime.health;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;

/**
 * A role's health: named liveness checks (is each worker thread or client still running?) and
 * readiness checks (has it caught up enough to do its job, e.g. replayed the students log?).
 *
 * <p>Liveness must fail only when a restart would help: a worker that died. Readiness may fail
 * while a role is catching up. A role registers one check per worker it starts; the HTTP endpoints
 * ({@code /health/live|ready}, serving's {@code /v2/health/live|ready}) report them.
 */
public final class Health {
  private record Check(String name, BooleanSupplier ok) {}

  private final List<Check> live = new CopyOnWriteArrayList<>();
  private final List<Check> ready = new CopyOnWriteArrayList<>();

  /** The outcome of one kind of check: all passed, and each check's result by name. */
  public record Report(boolean ok, Map<String, Boolean> checks) {}

  /** Adds a liveness check: false = {@code name} died and the process should be restarted. */
  public Health liveness(String name, BooleanSupplier alive) {
    live.add(new Check(name, alive));
    return this;
  }

  /** Adds a readiness check: false = {@code name} cannot serve its purpose yet. */
  public Health readiness(String name, BooleanSupplier isReady) {
    ready.add(new Check(name, isReady));
    return this;
  }

  /** The liveness checks now. */
  public Report live() {
    return run(live);
  }

  /** Ready = live and every readiness check passes. */
  public Report ready() {
    Report l = live();
    Report r = run(ready);
    Map<String, Boolean> all = new LinkedHashMap<>(l.checks());
    all.putAll(r.checks());
    return new Report(l.ok() && r.ok(), all);
  }

  private static Report run(List<Check> checks) {
    Map<String, Boolean> out = new LinkedHashMap<>();
    boolean ok = true;
    for (Check c : checks) {
      boolean pass;
      try {
        pass = c.ok().getAsBoolean();
      } catch (RuntimeException e) {
        pass = false; // a check that throws cannot vouch for its worker
      }
      out.put(c.name(), pass);
      ok &= pass;
    }
    return new Report(ok, out);
  }
}
