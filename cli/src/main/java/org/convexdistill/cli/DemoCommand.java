package org.convexdistill.cli;

import java.util.concurrent.Callable;
import org.convexdistill.app.DemoRun;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code distill demo}: the whole service in one JVM on an embedded Kafka broker. Simulated devices
 * publish Fashion-MNIST test images; the inference stage, the learner and the serving node run
 * live; HTTP clients measure latency meanwhile; at the end a summary compares what is served with
 * the teacher on held-out images.
 */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "The main job on bundled defaults: an embedded Kafka broker (KRaft, loopback), the inference"
          + " stage, the learner and the HTTP serving node in one JVM; simulated devices publish"
          + " unlabeled Fashion-MNIST test images; a live progress display; a summary of the"
          + " versions published and swapped, served accuracy vs the teacher on held-out images,"
          + " and serving latency."
    },
    footer = StreamCommands.ENV_FOOTER)
final class DemoCommand extends StackOptions implements Callable<Integer> {
  @Option(
      names = "--http-port",
      defaultValue = "0",
      description = "HTTP port on 127.0.0.1, 0 = any free one (default: ${DEFAULT-VALUE}).")
  int httpPort;

  @Option(
      names = "--kafka-port",
      defaultValue = "0",
      description =
          "Embedded broker port on 127.0.0.1, 0 = any free one (default: ${DEFAULT-VALUE}).")
  int kafkaPort;

  @Option(
      names = "--images",
      defaultValue = "8000",
      description =
          "Distinct test images the devices cycle through (the rest is held out) (default:"
              + " ${DEFAULT-VALUE}).")
  int images;

  @Option(
      names = "--versions",
      defaultValue = "3",
      description = "End once this many student versions went live (default: ${DEFAULT-VALUE}).")
  int versions;

  @Option(
      names = "--eval-images",
      defaultValue = "2000",
      description = "Held-out test images for the final comparison (default: ${DEFAULT-VALUE}).")
  int evalImages;

  @Option(
      names = "--max-minutes",
      defaultValue = "15",
      description = "Stop waiting for the learner after this long (default: ${DEFAULT-VALUE}).")
  double maxMinutes;

  @Override
  int httpPort() {
    return httpPort;
  }

  @Override
  int kafkaPort() {
    return kafkaPort;
  }

  @Option(
      names = "--min-teacher-accuracy",
      defaultValue = "0.5",
      description =
          "Refuse to distil a teacher below this test accuracy; its figures would mean nothing"
              + " (default: ${DEFAULT-VALUE}).")
  double minTeacherAccuracy;

  @Override
  public Integer call() throws Exception {
    DemoRun.run(
        new DemoRun.Settings(
            stackSettings(),
            data,
            images,
            versions,
            evalImages,
            maxMinutes,
            rate,
            devices,
            probeClients,
            teacherEpochs,
            retrain,
            minTeacherAccuracy,
            torchThreads),
        System.out);
    return 0;
  }
}
