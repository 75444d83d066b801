package org.convexdistill.cli;

import java.io.PrintStream;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import org.convexdistill.app.DataLocation;
import org.convexdistill.app.DemoData;
import org.convexdistill.app.LocalStack;
import org.convexdistill.app.TeacherProvider;
import org.convexdistill.ingest.device.SimulatedDevices;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code distill up}: the demo's services without an end, on fixed local ports. */
@Command(
    name = "up",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Run every role in one JVM (embedded Kafka unless --bootstrap-servers) until Ctrl-C, with"
          + " the HTTP endpoint on localhost. Simulated devices keep publishing the test images in a"
          + " loop; --no-devices leaves the images topic to your own producers."
    },
    footer = StreamCommands.ENV_FOOTER)
final class UpCommand extends StackOptions implements Callable<Integer> {
  @Option(
      names = "--http-port",
      defaultValue = "8080",
      description = "HTTP port on 127.0.0.1, 0 = any free one (default: ${DEFAULT-VALUE}).")
  int httpPort;

  @Option(
      names = "--kafka-port",
      defaultValue = "9092",
      description =
          "Embedded broker port on 127.0.0.1, 0 = any free one (default: ${DEFAULT-VALUE}).")
  int kafkaPort;

  @Option(names = "--no-devices", description = "Do not simulate devices; publish your own images.")
  boolean noDevices;

  @Override
  int httpPort() {
    return httpPort;
  }

  @Override
  int kafkaPort() {
    return kafkaPort;
  }

  @Override
  public Integer call() throws Exception {
    PrintStream out = System.out;
    LocalStack.configureTorchThreads(torchThreads);
    LocalStack.Settings settings = stackSettings();
    DemoData.Split split = DemoData.split(DataLocation.resolve(data, out), 2000);
    TeacherProvider.Provided teacher =
        TeacherProvider.ensure(
            out,
            new TeacherProvider.Request(teacherOptions.model, teacherEpochs, retrain),
            split.train(),
            split.test(),
            split.dir());
    LocalStack s = LocalStack.start(settings, teacher.teacher());
    AtomicBoolean stop = new AtomicBoolean();
    if (!noDevices) {
      s.devices(split.stream(), devices, rate, true, stop, new SimulatedDevices[1]);
    }
    out.printf(
        "ready: kafka %s | http http://127.0.0.1:%d (POST /v1/predict, GET /v1/model, GET"
            + " /metrics) | Ctrl-C to stop%n",
        s.bootstrap(), s.serving().port());
    out.flush();
    Roles.runUntilStopped(() -> stop.set(true), s);
    return 0;
  }
}
