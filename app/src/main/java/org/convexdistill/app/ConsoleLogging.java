package org.convexdistill.app;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Where library logs go (Kafka, DJL, ND4J log through slf4j-simple). An interactive run keeps the
 * console for our own progress and summary and writes the libraries' lines to a file under {@code
 * $DISTILL_HOME/logs}; {@code --verbose} (and the long-running roles, whose stderr is their log in
 * a container) keep them on stderr. Must run before the first logger is created.
 */
public final class ConsoleLogging {
  /** Log files kept; older ones are deleted. */
  static final int KEEP = 20;

  private ConsoleLogging() {}

  /**
   * Routes slf4j-simple's output for a run of {@code command}; returns the log file, or null when
   * the logs stay on stderr (verbose, or the folder cannot be written).
   */
  public static Path configure(String command, boolean toStderr) {
    System.setProperty(
        "org.slf4j.simpleLogger.defaultLogLevel",
        System.getProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn"));
    // DJL probes for CUDA at start and warns when there is none: expected on CPU machines.
    System.setProperty("org.slf4j.simpleLogger.log.ai.djl.util.cuda.CudaUtils", "error");
    System.setProperty("org.slf4j.simpleLogger.showDateTime", "true");
    System.setProperty("org.slf4j.simpleLogger.dateTimeFormat", "yyyy-MM-dd'T'HH:mm:ss.SSS");
    if (toStderr) {
      System.setProperty("org.slf4j.simpleLogger.logFile", "System.err");
      return null;
    }
    try {
      Path dir = DistillHome.logs();
      Files.createDirectories(dir);
      String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
      Path file = dir.resolve("distill-" + safe(command) + "-" + stamp + ".log");
      prune(dir);
      System.setProperty("org.slf4j.simpleLogger.logFile", file.toString());
      return file;
    } catch (IOException | RuntimeException e) {
      System.setProperty("org.slf4j.simpleLogger.logFile", "System.err");
      return null;
    }
  }

  private static String safe(String command) {
    return command == null || command.isBlank() ? "help" : command.replaceAll("[^a-z0-9-]", "_");
  }

  private static void prune(Path dir) throws IOException {
    List<Path> logs;
    try (Stream<Path> s = Files.list(dir)) {
      logs =
          s.filter(p -> p.getFileName().toString().endsWith(".log"))
              .sorted(Comparator.comparing(Path::getFileName).reversed())
              .toList();
    }
    for (int i = KEEP - 1; i < logs.size(); i++) {
      Files.deleteIfExists(logs.get(i));
    }
  }
}
