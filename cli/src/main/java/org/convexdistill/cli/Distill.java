package org.convexdistill.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import org.convexdistill.core.npy.NpyFormatException;
import org.convexdistill.solver.InvalidProblemException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of the {@code distill} command. */
@Command(
    name = "distill",
    mixinStandardHelpOptions = true,
    version = "distill 0.1.0",
    description = "Convex distillation: fit small convex gated-ReLU students to teacher blocks.",
    subcommands = {
      DemoCommand.class,
      UpCommand.class,
      DeviceCommand.class,
      IngestCommand.class,
      LearnerCommand.class,
      ServingCommand.class,
      OfflineDemoCommand.class,
      TeacherCommand.class,
      OfflineCommand.class,
      ActivationsCommand.class,
      SolveCommand.class,
      PathCommand.class,
      BenchCommand.class,
      CommandLine.HelpCommand.class
    })
public final class Distill implements Runnable {
  /** Exit code for bad input (flags, files, values). */
  static final int USER_ERROR = 2;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    // ND4J and friends log through slf4j-simple; keep stdout for results (JSON must be clean).
    System.setProperty("org.slf4j.simpleLogger.logFile", "System.err");
    System.setProperty(
        "org.slf4j.simpleLogger.defaultLogLevel",
        System.getProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn"));
    // DJL probes for CUDA at start and warns when there is none: expected on CPU machines.
    System.setProperty("org.slf4j.simpleLogger.log.ai.djl.util.cuda.CudaUtils", "error");
    System.exit(commandLine().execute(args));
  }

  /** The configured command line, also used by tests. */
  static CommandLine commandLine() {
    CommandLine cli = new CommandLine(new Distill());
    cli.setDefaultValueProvider(new EnvDefaults());
    cli.setParameterExceptionHandler(Distill::onBadParameters);
    cli.setExecutionExceptionHandler(Distill::onExecutionError);
    return cli;
  }

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  private static int onBadParameters(CommandLine.ParameterException e, String[] args) {
    CommandLine cmd = e.getCommandLine();
    PrintWriter err = cmd.getErr();
    err.println(
        cmd.getCommandSpec().qualifiedName()
            + ": "
            + e.getMessage()
            + " (see '"
            + cmd.getCommandSpec().qualifiedName()
            + " --help')");
    err.flush();
    return USER_ERROR;
  }

  private static int onExecutionError(
      Exception e, CommandLine cmd, CommandLine.ParseResult parseResult) {
    String message = userMessage(e);
    if (message == null) {
      throw new RuntimeException(e);
    }
    PrintWriter err = cmd.getErr();
    err.println(cmd.getCommandSpec().qualifiedName() + ": error: " + message);
    err.flush();
    return USER_ERROR;
  }

  /** The one-line message for a user error, or null when {@code e} is a bug. */
  static String userMessage(Throwable e) {
    if (e instanceof UncheckedIOException u) {
      if (u.getCause() instanceof java.net.BindException) {
        return u.getMessage();
      }
      return userMessage(u.getCause());
    }
    if (e instanceof UserException || e instanceof InvalidProblemException) {
      return e.getMessage();
    }
    if (e instanceof NoSuchFileException f) {
      return "file not found: " + f.getFile();
    }
    if (e instanceof AccessDeniedException f) {
      return "permission denied: " + f.getFile();
    }
    if (e instanceof NpyFormatException
        || e instanceof org.convexdistill.core.data.DataFormatException
        || e instanceof org.convexdistill.teacher.TeacherException
        || e instanceof org.convexdistill.broker.BrokerException) {
      return e.getMessage();
    }
    if (e instanceof IOException) {
      return e.getClass().getSimpleName() + ": " + e.getMessage();
    }
    return null;
  }
}
