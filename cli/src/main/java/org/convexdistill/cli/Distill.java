package org.convexdistill.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.convexdistill.app.ConsoleLogging;
import org.convexdistill.app.UserErrors;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of the {@code distill} command. */
@Command(
    name = "distill",
    mixinStandardHelpOptions = true,
    version = "distill 0.1.0",
    footer = {
      "",
      "--verbose (anywhere) shows library logs (Kafka, DJL, ND4J) on stderr; otherwise they go to"
          + " $DISTILL_HOME/logs/ (the service roles ingest, learner, serving, device always log"
          + " to stderr)."
    },
    description = "Convex distillation: fit small convex gated-ReLU students to teacher blocks.",
    subcommands = {
      DemoCommand.class,
      UpCommand.class,
      DeviceCommand.class,
      IngestCommand.class,
      LearnerCommand.class,
      ServingCommand.class,
      KeysCommand.class,
      OfflineDemoCommand.class,
      TeacherCommand.class,
      OfflineCommand.class,
      CnnStudentCommand.class,
      PublishCommand.class,
      ActivationsCommand.class,
      SolveCommand.class,
      PathCommand.class,
      BenchCommand.class,
      ExperimentCommand.class,
      CommandLine.HelpCommand.class
    })
public final class Distill implements Runnable {
  /** Exit code for bad input (flags, files, values). */
  static final int USER_ERROR = 2;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  /** Roles run as services: their stderr is their log (a container's), so logs stay there. */
  private static final Set<String> SERVICE_ROLES = Set.of("ingest", "learner", "serving", "device");

  public static void main(String[] args) {
    List<String> rest = new ArrayList<>(Arrays.asList(args));
    boolean verbose = rest.remove("--verbose");
    String command = rest.stream().filter(a -> !a.startsWith("-")).findFirst().orElse("");
    // Library logs (Kafka, DJL, ND4J) to a file for interactive runs; stdout stays clean for
    // results (JSON), the console for our progress, summary and errors.
    logFile = ConsoleLogging.configure(command, verbose || SERVICE_ROLES.contains(command));
    System.exit(commandLine().execute(rest.toArray(String[]::new)));
  }

  /** This run's library log file, or null when the logs go to stderr. */
  private static Path logFile;

  /**
   * The environment variables {@code command} (e.g. {@code "learner"}) reads, one per long option
   * ({@code --window-size} → {@code DISTILL_WINDOW_SIZE}): what a Kubernetes ConfigMap may set.
   */
  public static Set<String> environmentOf(String command) {
    CommandLine sub = new CommandLine(new Distill()).getSubcommands().get(command);
    if (sub == null) {
      throw new IllegalArgumentException("no such command: " + command);
    }
    Set<String> out = new java.util.TreeSet<>();
    for (CommandLine.Model.OptionSpec o : sub.getCommandSpec().options()) {
      String name = o.longestName();
      if (name.startsWith("--") && !name.equals("--help") && !name.equals("--version")) {
        out.add(EnvDefaults.variable(name));
      }
    }
    return out;
  }

  /**
   * Parses {@code args} as {@code distill} would, without running anything: null when they are
   * valid, else picocli's message (for checking the commands that manifests run).
   */
  public static String parseError(String... args) {
    try {
      new CommandLine(new Distill()).parseArgs(args);
      return null;
    } catch (CommandLine.ParameterException e) {
      return e.getMessage();
    }
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
    if (logFile != null) {
      err.println("(library logs of this run: " + logFile + "; --verbose shows them here)");
    }
    err.flush();
    return USER_ERROR;
  }

  /** The one-line message for a user error, or null when {@code e} is a bug. */
  static String userMessage(Throwable e) {
    return UserErrors.message(e);
  }
}
