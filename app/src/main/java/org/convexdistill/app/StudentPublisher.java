package org.convexdistill.app;

import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.convexdistill.core.release.ReleaseSigner;
import org.convexdistill.core.release.ReleaseVerifier;
import org.convexdistill.core.stream.StudentRelease;
import org.convexdistill.core.student.Student;
import org.convexdistill.runtime.kafka.KafkaConnection;
import org.convexdistill.runtime.topics.StudentLog;
import org.convexdistill.runtime.topics.Topics;

/**
 * Publishes a student fitted offline (an MLP file from {@code distill offline} or a CNN one from
 * {@code distill cnn-student}) as the next version of a model on the students topic, signed like
 * the learner's releases, so serving nodes check it and swap to it as they would to any version.
 * The version follows the newest trusted one already there; a learner restarted afterwards resumes
 * from it. Run it while no learner publishes under the same model id (or use a model id of its
 * own): two writers would number the same version twice.
 */
public final class StudentPublisher {
  private StudentPublisher() {}

  /**
   * Publishes {@code student} and returns the release as written.
   *
   * @param agreement the student's top-1 agreement with the teacher measured before publishing (NaN
   *     = not measured)
   * @param signer null publishes unsigned (serving nodes that check signatures refuse it)
   * @param trusted which releases count when finding the newest version (null = all)
   */
  public static StudentRelease publish(
      KafkaConnection kafka,
      String modelId,
      String teacherId,
      int block,
      Student student,
      double agreement,
      ReleaseSigner signer,
      ReleaseVerifier trusted) {
    Optional<StudentRelease> latest = StudentLog.latest(kafka, modelId, trusted);
    long parent = latest.map(StudentRelease::version).orElse(0L);
    StudentRelease r =
        new StudentRelease(
            modelId,
            teacherId,
            block,
            parent + 1,
            parent,
            // Fitted offline: no convex solve to certify, no learner window behind it.
            Double.NaN,
            Double.NaN,
            Double.NaN,
            Double.NaN,
            agreement,
            Double.NaN,
            0,
            0,
            student.hiddenUnits(),
            student.parameterCount(),
            System.currentTimeMillis(),
            false,
            List.of(),
            student);
    byte[] value = r.encode();
    if (value.length > Topics.STUDENTS_MAX_MESSAGE_BYTES) {
      throw new UserException(
          "the release is "
              + value.length
              + " bytes; the students topic takes at most "
              + Topics.STUDENTS_MAX_MESSAGE_BYTES
              + " (train a smaller student)");
    }
    RecordHeaders headers = new RecordHeaders();
    if (signer != null) {
      headers.add(ReleaseSigner.HEADER, signer.sign(value));
    }
    Properties p = kafka.clientProperties();
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Topics.STUDENTS_MAX_MESSAGE_BYTES);
    try (KafkaProducer<String, byte[]> producer =
        new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer())) {
      producer.send(new ProducerRecord<>(Topics.STUDENTS, null, modelId, value, headers)).get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while publishing", e);
    } catch (ExecutionException e) {
      throw new UserException("could not publish to " + Topics.STUDENTS + ": " + e.getCause());
    }
    return r;
  }
}
