package org.convexdistill.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.convexdistill.runtime.kafka.KafkaConnection;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
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

  @Test
  void servingRefusesToStartWithoutAKeyToCheckReleasesWith(@TempDir Path dir) throws Exception {
    DistillCommandTest.Run r = DistillCommandTest.run("serving", "--bootstrap-servers", "x:1");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err().strip())
        .contains("--release-public-key", "--allow-unsigned-releases")
        .doesNotContain("\n");
    Path junk = Files.writeString(dir.resolve("k.pub"), "not a key");
    r =
        DistillCommandTest.run(
            "serving", "--bootstrap-servers", "x:1", "--release-public-key", junk.toString());
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("k.pub", "PEM");
    r =
        DistillCommandTest.run(
            "learner", "--bootstrap-servers", "x:1", "--release-signing-key", junk.toString());
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("k.pub");
  }

  @Test
  void keysGenerateWritesAPairAndWillNotOverwriteItUnasked(@TempDir Path dir) throws Exception {
    DistillCommandTest.Run r = DistillCommandTest.run("keys", "generate", "--out", dir.toString());
    assertThat(r.exitCode()).as(r.err()).isZero();
    var pub =
        org.convexdistill.core.release.ReleaseKeys.readPublic(dir.resolve("release-signing.pub"));
    var priv =
        org.convexdistill.core.release.ReleaseKeys.readPrivate(dir.resolve("release-signing.key"));
    assertThat(org.convexdistill.core.release.ReleaseKeys.publicOf(priv)).isEqualTo(pub);
    assertThat(r.out()).contains(org.convexdistill.core.release.ReleaseKeys.id(pub));
    r = DistillCommandTest.run("keys", "generate", "--out", dir.toString());
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("exists", "--force");
    assertThat(
            org.convexdistill.core.release.ReleaseKeys.readPublic(
                dir.resolve("release-signing.pub")))
        .isEqualTo(pub);
  }

  @Test
  void kafkaClientSettingsComeFromAFileAndFlagsForEveryRole(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("client.properties");
    Files.writeString(
        file,
        String.join(
            "\n",
            "security.protocol=SASL_SSL",
            "sasl.mechanism=SCRAM-SHA-512",
            "sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required"
                + " username=\"learner\" password=\"s3cret\";",
            "linger.ms=9"));
    LearnerCommand cmd = new LearnerCommand();
    new CommandLine(cmd)
        .setDefaultValueProvider(
            new EnvDefaults(Map.of("DISTILL_KAFKA_CONFIG", file.toString())::get))
        .parseArgs(
            "--bootstrap-servers", "kafka:9093",
            "--kafka-property", "linger.ms=20",
            "--kafka-property", "client.rack=zone-a",
            "--replication-factor", "3",
            "--min-insync-replicas", "2");
    KafkaConnection c = cmd.kafka.connection();
    assertThat(c.bootstrapServers()).isEqualTo("kafka:9093");
    assertThat(c.properties())
        .containsEntry("security.protocol", "SASL_SSL")
        .containsEntry("sasl.mechanism", "SCRAM-SHA-512")
        .containsEntry("linger.ms", "20") // a flag wins over the file
        .containsEntry("client.rack", "zone-a");
    assertThat(c.clientProperties()).containsEntry("bootstrap.servers", "kafka:9093");
    assertThat(c.toString()).doesNotContain("s3cret").contains("<hidden>");
    assertThat(cmd.kafka.topics().replicationFactor()).isEqualTo((short) 3);
    assertThat(cmd.kafka.topics().minInsyncReplicas()).isEqualTo(2);

    DistillCommandTest.Run r =
        DistillCommandTest.run(
            "learner",
            "--bootstrap-servers",
            "127.0.0.1:1",
            "--kafka-config",
            "/no/such.properties");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err().strip())
        .isEqualTo("distill learner: error: --kafka-config: no such file: /no/such.properties");
    r =
        DistillCommandTest.run(
            "serving",
            "--bootstrap-servers",
            "127.0.0.1:1",
            "--kafka-property",
            "bootstrap.servers=x");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("--bootstrap-servers, not as a client property");
    r =
        DistillCommandTest.run(
            "ingest",
            "--bootstrap-servers",
            "127.0.0.1:1",
            "--replication-factor",
            "1",
            "--min-insync-replicas",
            "2");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("cannot exceed --replication-factor");
  }

  @Test
  void everyRoleBindsWhereItIsTold() {
    ServingCommand serving = new ServingCommand();
    new CommandLine(serving).parseArgs("--http-host", "0.0.0.0");
    assertThat(serving.serving.config(8080).host()).isEqualTo("0.0.0.0");
    ServingCommand local = new ServingCommand();
    new CommandLine(local).parseArgs();
    assertThat(local.serving.config(8080).host())
        .as("local runs stay on loopback")
        .isEqualTo("127.0.0.1");
    LearnerCommand learner = new LearnerCommand();
    new CommandLine(learner).parseArgs("--metrics-host", "0.0.0.0");
    assertThat(learner.metricsHost.host).isEqualTo("0.0.0.0");
    IngestCommand ingest = new IngestCommand();
    new CommandLine(ingest).parseArgs();
    assertThat(ingest.metricsHost.host).isEqualTo("127.0.0.1");
  }
}
