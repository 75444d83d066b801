package org.convexdistill.bench;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.convexdistill.app.TopicSetup;
import org.convexdistill.broker.EmbeddedKafka;
import org.convexdistill.runtime.topics.Topics;

/**
 * The serving benchmark's broker and release publisher, in a child JVM.
 *
 * <p>In a deployment the broker and the learner run in processes of their own, on other nodes: a
 * swap costs serving only what serving does (fetch, decode, check, swap). On this one machine they
 * share the cores with serving whatever the process; run in the benchmark's own JVM, the broker's
 * and the producer's copies of each multi-megabyte release also went through serving's heap and its
 * GC pauses. So they run here, in a child JVM, by default at a lower CPU priority ({@code nice}),
 * which stands in for "not on serving's cores": the broker then takes idle time before it takes a
 * request's. With niceness 0 they compete as equals, the worst case on a shared machine.
 *
 * <p>The protocol is lines on the child's stdin and stdout: {@code load FILE OFFSET} (a release's
 * encoded bytes and where its version field sits), {@code publish VERSION} (the loaded release with
 * the version and its parent patched in, sent and acknowledged), each answered {@code ok}.
 */
final class ReleaseSidecar implements AutoCloseable {
  private static final String READY = "sidecar-bootstrap ";
  private static final String OK = "sidecar-ok";

  private final Process process;
  private final BufferedWriter in;
  private final BufferedReader out;
  private final String bootstrap;
  private final Path dir;

  private ReleaseSidecar(Process process, Path dir) throws IOException {
    this.process = process;
    this.dir = dir;
    this.in =
        new BufferedWriter(
            new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8));
    this.out =
        new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    this.bootstrap = awaitLine(READY).substring(READY.length());
  }

  /**
   * Starts the child JVM (broker and topics up when this returns).
   *
   * @param niceness the child's {@code nice} increment, 0 for the same priority as this JVM
   */
  static ReleaseSidecar start(int niceness) throws IOException {
    Path dir = Files.createTempDirectory("distill-bench-sidecar-");
    List<String> cmd = new ArrayList<>();
    if (niceness != 0) {
      cmd.addAll(List.of("nice", "-n", String.valueOf(niceness)));
    }
    cmd.addAll(
        List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-Xmx1g",
            "-cp",
            System.getProperty("java.class.path"),
            ReleaseSidecar.class.getName()));
    Process p =
        new ProcessBuilder(cmd)
            .redirectError(dir.resolve("sidecar.log").toFile())
            .redirectInput(ProcessBuilder.Redirect.PIPE)
            .start();
    return new ReleaseSidecar(p, dir);
  }

  String bootstrapServers() {
    return bootstrap;
  }

  /** Hands the child a release to publish; {@code versionAt} is its version field's offset. */
  void load(byte[] release, int versionAt) throws IOException {
    Path f = dir.resolve("release.bin");
    Files.write(f, release);
    command("load " + f + " " + versionAt);
  }

  /** Publishes the loaded release as {@code version} (parent {@code version - 1}); acknowledged. */
  void publish(long version) throws IOException {
    command("publish " + version);
  }

  private void command(String line) throws IOException {
    in.write(line);
    in.newLine();
    in.flush();
    awaitLine(OK);
  }

  private String awaitLine(String prefix) throws IOException {
    String line;
    while ((line = out.readLine()) != null) {
      if (line.startsWith(prefix)) {
        return line;
      }
    }
    throw new IOException(
        "the benchmark's broker process ended (exit "
            + (process.isAlive() ? "?" : process.exitValue())
            + "); its log: "
            + dir.resolve("sidecar.log"));
  }

  @Override
  public void close() throws Exception {
    try {
      in.close(); // EOF: the child closes its producer and broker and exits
    } catch (IOException e) {
      // already gone
    }
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      return; // its log stays, for whoever looks into why
    }
    if (process.exitValue() == 0) {
      Files.deleteIfExists(dir.resolve("release.bin"));
      Files.deleteIfExists(dir.resolve("sidecar.log"));
      Files.deleteIfExists(dir);
    }
  }

  /** The child: a broker, the topics, a producer, and the command loop on stdin. */
  public static void main(String[] args) throws Exception {
    PrintStream reply = new PrintStream(System.out, true, StandardCharsets.UTF_8);
    try (EmbeddedKafka kafka = EmbeddedKafka.start();
        KafkaProducer<String, byte[]> producer =
            new KafkaProducer<>(
                Map.of(
                    "bootstrap.servers",
                    kafka.bootstrapServers(),
                    "max.request.size",
                    Topics.STUDENTS_MAX_MESSAGE_BYTES),
                new StringSerializer(),
                new ByteArraySerializer())) {
      TopicSetup.ensure(kafka.bootstrapServers(), 1);
      reply.println(READY + kafka.bootstrapServers());
      BufferedReader commands =
          new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
      byte[] template = null;
      int versionAt = 0;
      String line;
      while ((line = commands.readLine()) != null) {
        String[] w = line.trim().split(" ");
        if (w[0].equals("load")) {
          template = Files.readAllBytes(Path.of(w[1]));
          versionAt = Integer.parseInt(w[2]);
        } else if (w[0].equals("publish") && template != null) {
          long v = Long.parseLong(w[1]);
          byte[] bytes = template.clone();
          ByteBuffer.wrap(bytes)
              .order(ByteOrder.LITTLE_ENDIAN)
              .putLong(versionAt, v)
              .putLong(versionAt + 8, v - 1);
          producer.send(new ProducerRecord<>(Topics.STUDENTS, ServingBenchmark.MODEL, bytes)).get();
        } else {
          throw new IllegalArgumentException("unknown sidecar command: " + line);
        }
        reply.println(OK);
      }
    }
  }
}
