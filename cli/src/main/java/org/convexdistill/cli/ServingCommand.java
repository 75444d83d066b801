package org.convexdistill.cli;

import java.util.concurrent.Callable;
import org.convexdistill.app.LocalStack;
import org.convexdistill.app.TopicSetup;
import org.convexdistill.runtime.kafka.KafkaConnection;
import org.convexdistill.runtime.metrics.Metrics;
import org.convexdistill.serving.ReleasePolicy;
import org.convexdistill.serving.ServingNode;
import org.convexdistill.teacher.DjlTeacher;
import org.convexdistill.teacher.TeacherId;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code distill serving}: the HTTP endpoint alone (scale out: more instances). */
@Command(
    name = "serving",
    mixinStandardHelpOptions = true,
    description = "Serve predictions over HTTP, hot-swapping students from the students topic.",
    footer = StreamCommands.ENV_FOOTER)
final class ServingCommand implements Callable<Integer> {
  @Mixin StreamOptions.Kafka kafka;
  @Mixin StreamOptions.Serving serving;
  @Mixin TeacherOptions teacherOptions;
  @Mixin ReleaseOptions.Trust trust;

  @picocli.CommandLine.Option(
      names = "--http-port",
      defaultValue = "8080",
      description = "HTTP port, 0 = any free one (default: ${DEFAULT-VALUE}).")
  int httpPort;

  @Override
  public Integer call() throws Exception {
    KafkaConnection connection = kafka.connection();
    var config = serving.config(httpPort); // validate before touching Kafka
    var verifier = trust.verifier();
    TopicSetup.ensure(connection, kafka.topics());
    LocalStack.configureTorchThreads(serving.torchThreads());
    DjlTeacher teacher = teacherOptions.load();
    ReleasePolicy policy =
        trust.policy(
            verifier,
            teacher,
            kafka.block,
            TeacherId.of(teacherOptions.model),
            teacherOptions.model);
    ServingNode node =
        ServingNode.start(
            connection, teacher, kafka.block, kafka.modelId, config, Metrics.newRegistry(), policy);
    System.out.printf("serving on http://%s:%d (POST /v1/predict)%n", config.host(), node.port());
    Roles.runUntilStopped(teacher, node);
    return 0;
  }
}
