package org.convexdistill.cli;

import java.io.IOException;
import java.nio.file.Path;
import org.convexdistill.app.UserException;
import org.convexdistill.core.npy.Npy;
import org.convexdistill.core.npy.NpyArray;
import org.convexdistill.solver.GatedReluProblem;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Option;

/** The flags that define a problem from {@code .npy} files; shared by solve and path. */
final class ProblemOptions {
  @Option(names = "--z", required = true, paramLabel = "Z.npy", description = "Inputs Z, (n, d).")
  Path z;

  @Option(names = "--y", required = true, paramLabel = "Y.npy", description = "Targets Y, (n, C).")
  Path y;

  @ArgGroup(exclusive = true, multiplicity = "1")
  GateChoice gateChoice;

  @Option(
      names = "--seed",
      defaultValue = "0",
      description = "Seed for --num-gates (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(
      names = "--no-unitize",
      description = "Do not scale Z's columns to unit norm (the default scales them).")
  boolean noUnitize;

  static final class GateChoice {
    @Option(names = "--gates", paramLabel = "G.npy", description = "Gate vectors G, (d, P).")
    Path gates;

    @Option(
        names = "--num-gates",
        paramLabel = "P",
        description = "Draw P standard-normal gates from --seed instead of reading G.")
    Integer numGates;
  }

  GatedReluProblem load() throws IOException {
    NpyArray zArray = Npy.read(z);
    NpyArray yArray = Npy.read(y);
    GatedReluProblem.Builder builder =
        GatedReluProblem.builder().setInputs(zArray).setTargets(yArray).optUnitize(!noUnitize);
    if (gateChoice.gates != null) {
      builder.setGates(Npy.read(gateChoice.gates));
    } else {
      if (gateChoice.numGates <= 0) {
        throw new UserException("--num-gates must be positive, got " + gateChoice.numGates);
      }
      builder.optRandomGates(gateChoice.numGates, seed);
    }
    return builder.build();
  }
}
