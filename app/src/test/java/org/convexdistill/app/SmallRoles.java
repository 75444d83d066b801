package org.convexdistill.app;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.util.List;
import org.convexdistill.core.release.ReleaseKeys;
import org.convexdistill.core.release.ReleaseSigner;
import org.convexdistill.core.release.ReleaseVerifier;
import org.convexdistill.ingest.stage.BlockInference;
import org.convexdistill.ingest.stage.InferenceConfig;
import org.convexdistill.ingest.stage.IngestStage;
import org.convexdistill.learner.stream.LearnerConfig;
import org.convexdistill.learner.stream.StreamingLearner;
import org.convexdistill.learner.stream.TeacherSuffix;
import org.convexdistill.runtime.kafka.KafkaConnection;
import org.convexdistill.runtime.metrics.Metrics;
import org.convexdistill.serving.ReleasePolicy;
import org.convexdistill.serving.ServingConfig;
import org.convexdistill.serving.ServingNode;
import org.convexdistill.teacher.DjlTeacher;

/**
 * The three roles on {@code conn}, sized to publish a version within seconds on random teachers (a
 * 40-row window, no promotion gate): signed releases, serving trusts only that key.
 */
record SmallRoles(IngestStage stage, StreamingLearner learner, ServingNode serving)
    implements AutoCloseable {
  static SmallRoles start(
      KafkaConnection conn, Path stateDir, DjlTeacher ingestTeacher, DjlTeacher servingTeacher) {
    ReleaseSigner signer = new ReleaseSigner(ReleaseKeys.generate().getPrivate());
    LearnerConfig config =
        LearnerConfig.builder()
            .setModelId("m")
            .setWindowSize(40)
            .setRefitEvery(20)
            .setGates(4)
            .setMaxIterations(100)
            .setMaxRelativeGap(10)
            .setMseTolerance(1e9)
            .setGateRows(8)
            .setMinGateRows(1)
            .setMinAgreement(0)
            .build();
    IngestStage stage =
        IngestStage.start(
            conn,
            new BlockInference(ingestTeacher, "test-teacher", 4),
            InferenceConfig.defaults(),
            new SimpleMeterRegistry(),
            stateDir.toString(),
            1);
    StreamingLearner learner =
        new StreamingLearner(
            conn,
            config,
            new SimpleMeterRegistry(),
            TeacherSuffix.of(ingestTeacher, 4),
            signer,
            List.of());
    learner.start();
    ServingNode serving =
        ServingNode.start(
            conn,
            servingTeacher,
            4,
            "m",
            ServingConfig.defaults().withPort(0),
            Metrics.newRegistry(),
            ReleasePolicy.permissive()
                .withVerifier(new ReleaseVerifier(List.of(signer.publicKey())))
                .withTeacherId("test-teacher"));
    return new SmallRoles(stage, learner, serving);
  }

  @Override
  public void close() {
    serving.close();
    learner.close();
    stage.close();
  }
}
