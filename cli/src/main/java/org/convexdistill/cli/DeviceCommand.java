package org.convexdistill.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import org.convexdistill.app.TopicSetup;
import org.convexdistill.app.UserException;
import org.convexdistill.core.data.FashionMnist;
import org.convexdistill.core.data.ImageFolder;
import org.convexdistill.core.data.Images;
import org.convexdistill.ingest.device.DevicePublisher;
import org.convexdistill.ingest.device.SimulatedDevices;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code distill device publish}: simulated devices sending images to Kafka. */
@Command(
    name = "device",
    mixinStandardHelpOptions = true,
    description = "Simulated edge devices.",
    subcommands = {DeviceCommand.Publish.class, CommandLine.HelpCommand.class})
final class DeviceCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "missing subcommand: publish");
  }

  @Command(
      name = "publish",
      mixinStandardHelpOptions = true,
      description = "Publish images to the images topic (idempotent producer, PNG by default).",
      footer = StreamCommands.ENV_FOOTER)
  static final class Publish implements Callable<Integer> {
    static final class Source {
      @Option(
          names = "--dir",
          paramLabel = "DIR",
          description = "A folder of 28×28 PNG/JPEG files.")
      Path dir;

      @Option(names = "--fashion-mnist", description = "Fashion-MNIST images (no labels are sent).")
      boolean fashionMnist;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    Source source;

    @Option(
        names = "--split",
        defaultValue = "test",
        description = "Fashion-MNIST split: test or train (default: ${DEFAULT-VALUE}).")
    String split;

    @Option(
        names = "--data",
        paramLabel = "DIR",
        description = "Fashion-MNIST folder (default: the Debian package's).")
    Path data = FashionMnist.DEFAULT_DIR;

    @Option(
        names = "--rate",
        defaultValue = "50",
        description =
            "Images per second in total, 0 = as fast as possible (default: ${DEFAULT-VALUE}).")
    double rate;

    @Option(
        names = "--devices",
        defaultValue = "4",
        description = "Simulated devices (keys device-0..K-1) (default: ${DEFAULT-VALUE}).")
    int devices;

    @Option(names = "--limit", description = "Publish at most this many images.")
    Integer limit;

    @Option(names = "--raw", description = "Send raw 784-byte images instead of PNG.")
    boolean raw;

    @Mixin StreamOptions.Kafka kafka;

    @Override
    public Integer call() throws Exception {
      var connection = kafka.connection();
      if (rate < 0 || devices < 1 || (limit != null && limit < 1)) {
        throw new UserException("--rate must be >= 0, --devices >= 1, --limit >= 1");
      }
      Images images;
      if (source.dir != null) {
        images = ImageFolder.read(source.dir);
      } else {
        FashionMnist.Split s =
            switch (split) {
              case "test" -> FashionMnist.Split.TEST;
              case "train" -> FashionMnist.Split.TRAIN;
              default ->
                  throw new UserException("--split must be test or train, got '" + split + "'");
            };
        // Images only: labels stay on the machine.
        images = FashionMnist.readImages(data.resolve(s.imagesFile()));
      }
      int n = limit == null ? images.count() : Math.min(limit, images.count());
      TopicSetup.ensure(connection, kafka.topics());
      try (DevicePublisher p = DevicePublisher.builder().setKafka(connection).build()) {
        SimulatedDevices d = new SimulatedDevices(p, devices, rate, !raw);
        long t0 = System.nanoTime();
        d.publish(images, 0, n, new AtomicBoolean());
        double s = (System.nanoTime() - t0) / 1e9;
        System.out.printf(
            "published %d images from %d devices in %.1f s (%.0f images/s)%n",
            d.sent(), devices, s, d.sent() / s);
      }
      return 0;
    }
  }
}
