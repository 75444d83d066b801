package org.convexdistill.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The streaming commands' configuration surface: environment defaults, help, bad values. */
class StreamingCommandsTest {
  @Test
  void environmentVariablesSetDefaultsAndFlagsWinOverThem() {
    Map<String, String> env =
        Map.of("DISTILL_WINDOW_SIZE", "2048", "DISTILL_BOOTSTRAP_SERVERS", "kafka:9092");
    LearnerCommand cmd = new LearnerCommand();
    CommandLine cli = new CommandLine(cmd);
    cli.setDefaultValueProvider(new EnvDefaults(env::get));
    cli.parseArgs("--refit-every", "7");
    assertThat(cmd.learner.windowSize).isEqualTo(2048);
    assertThat(cmd.kafka.bootstrapServers).isEqualTo("kafka:9092");
    assertThat(cmd.learner.refitEvery).isEqualTo(7);
    assertThat(cmd.learner.gates)
        .isEqualTo(org.convexdistill.learner.stream.LearnerConfig.defaults().gates());
    assertThat(cmd.learner.headWeight).isInfinite(); // built-in default: the logits alone

    LearnerCommand flagged = new LearnerCommand();
    CommandLine cli2 = new CommandLine(flagged);
    cli2.setDefaultValueProvider(new EnvDefaults(env::get));
    cli2.parseArgs("--window-size", "64", "--head-weight", "10");
    assertThat(flagged.learner.windowSize).isEqualTo(64);
    assertThat(flagged.learner.headWeight).isEqualTo(10.0);
    assertThatThrownBy(() -> new CommandLine(new LearnerCommand()).parseArgs("--head-weight", "-1"))
        .hasMessageContaining("head weight must be >= 0");
  }

  @Test
  void variableNamesFollowTheOptionNames() {
    assertThat(EnvDefaults.variable("--max-batch")).isEqualTo("DISTILL_MAX_BATCH");
    assertThat(EnvDefaults.variable("--bootstrap-servers")).isEqualTo("DISTILL_BOOTSTRAP_SERVERS");
  }

  @Test
  void helpListsEveryKnobWithItsDefaultAndTheEnvironmentRule() {
    DistillCommandTest.Run r = DistillCommandTest.run("demo", "--help");
    assertThat(r.exitCode()).isZero();
    assertThat(r.out().replaceAll("\\s+", " "))
        .contains(
            "--window-size=<windowSize> Activation rows in the sliding window (default: 4000)")
        .contains("--window-size", "--refit-every", "--max-params")
        .contains("--batch-size", "--max-batch", "--http-port", "--kafka-port")
        .contains("DISTILL_WINDOW_SIZE");
    assertThat(DistillCommandTest.run("--help").out())
        .contains("demo", "up", "device", "ingest", "learner", "serving", "offline-demo");
  }

  @Test
  void rolesWithoutABrokerOrWithBadValuesExitTwoWithOneLine() {
    DistillCommandTest.Run r = DistillCommandTest.run("learner");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err().strip()).contains("--bootstrap-servers is required").doesNotContain("\n");

    r =
        DistillCommandTest.run(
            "learner", "--bootstrap-servers", "127.0.0.1:1", "--window-size", "3");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("window size must be >= 20");

    r =
        DistillCommandTest.run(
            "ingest", "--bootstrap-servers", "127.0.0.1:1", "--precision", "int8");
    assertThat(r.exitCode()).isEqualTo(2);

    r = DistillCommandTest.run("device", "publish", "--bootstrap-servers", "x:1");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("--dir", "--fashion-mnist");
  }
}
