package org.convexdistill.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Random;
import org.convexdistill.broker.EmbeddedKafka;
import org.convexdistill.ingest.device.DevicePublisher;
import org.convexdistill.runtime.kafka.KafkaConnection;
import org.convexdistill.runtime.topics.TopicSettings;
import org.convexdistill.serving.ServingNode;
import org.convexdistill.teacher.DjlTeacher;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every role against a broker that only talks SASL/SCRAM-SHA-512 over TLS to them (the client
 * settings k8s/ uses: SASL_SSL, a PEM truststore): topic setup, devices, the exactly-once stage
 * (its producers, consumers, admin and internal topics), the learner (transactional producer,
 * consumers) and serving (follower, control log) all pass the client settings through, and a
 * student published over SCRAM is served. A wrong password is refused.
 */
@Tag("integration")
class ScramPassThroughTest {
  private static KafkaConnection scram(EmbeddedKafka k, EmbeddedKafka.Tls tls, String password) {
    // What k8s/ configures: SASL_SSL, a PEM truststore (the cluster CA), SCRAM-SHA-512.
    return new KafkaConnection(
        k.scramBootstrapServers(),
        Map.of(
            "security.protocol",
            "SASL_SSL",
            "ssl.truststore.type",
            "PEM",
            "ssl.truststore.location",
            tls.caPem().toString(),
            "sasl.mechanism",
            EmbeddedKafka.SCRAM_MECHANISM,
            "sasl.jaas.config",
            "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"distill\""
                + " password=\""
                + password
                + "\";"));
  }

  @Test
  void everyRoleWorksOverScramAndAWrongPasswordIsRefused(@TempDir Path dir) throws Exception {
    EmbeddedKafka.Tls tls = EmbeddedKafka.Tls.create(dir.resolve("tls"));
    try (EmbeddedKafka kafka = EmbeddedKafka.startWithScram("distill", "s3cret", tls);
        DjlTeacher ingestTeacher = DjlTeacher.create(10, 11, 16);
        DjlTeacher servingTeacher = DjlTeacher.create(10, 11, 16)) {
      // Several tries: whether a refused login surfaced as such used to depend on timing.
      for (int i = 0; i < 5; i++) {
        assertThatThrownBy(
                () -> TopicSetup.ensure(scram(kafka, tls, "wrong"), TopicSettings.single(1)))
            .hasMessageContaining("uthentication");
      }

      KafkaConnection conn = scram(kafka, tls, "s3cret");
      TopicSetup.ensure(conn, TopicSettings.single(1));
      try (SmallRoles roles =
              SmallRoles.start(conn, dir.resolve("state"), ingestTeacher, servingTeacher);
          DevicePublisher devices = DevicePublisher.builder().setKafka(conn).build()) {
        ServingNode serving = roles.serving();
        Random r = new Random(1);
        long end = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (serving.registry().current().version() < 1 && System.nanoTime() < end) {
          byte[] img = new byte[784];
          r.nextBytes(img);
          devices.publish("cam-1", img, "application/x-raw-gray8");
          Thread.sleep(20);
        }
        assertThat(serving.registry().current().version())
            .as("a version fitted and published over SCRAM is served")
            .isGreaterThanOrEqualTo(1);
        // Pins go over SCRAM too (the control log).
        assertThat(serving.registry().pin(serving.registry().current().version())).isTrue();
      }
    }
  }
}
