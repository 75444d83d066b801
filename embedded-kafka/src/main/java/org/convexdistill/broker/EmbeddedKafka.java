package org.convexdistill.broker;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Properties;
import java.util.stream.Stream;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.MetadataVersion;

/**
 * A real single-node Kafka broker (KRaft, combined broker + controller) started in this JVM, on
 * loopback only, with its logs in a temporary directory that is deleted on {@link #close()}. What
 * the demo and the tests run against: the same broker code as a production cluster.
 */
public final class EmbeddedKafka implements AutoCloseable {
  private final Path logDir;
  private final boolean ownsLogDir;
  private final int port;
  private final int scramPort;
  private final KafkaRaftServer server;

  private EmbeddedKafka(
      Path logDir, boolean ownsLogDir, int port, int scramPort, KafkaRaftServer server) {
    this.logDir = logDir;
    this.ownsLogDir = ownsLogDir;
    this.port = port;
    this.scramPort = scramPort;
    this.server = server;
  }

  /** SCRAM mechanism of {@link #startWithScram}'s listener. */
  public static final String SCRAM_MECHANISM = "SCRAM-SHA-512";

  /**
   * A broker with a second listener that requires SASL/SCRAM-SHA-512 ({@link
   * #scramBootstrapServers()}; no TLS: loopback only) and one user with that password, to test that
   * every role passes its client settings through (what a secured cluster needs).
   */
  public static EmbeddedKafka startWithScram(String user, String password) {
    return startWithScram(user, password, null);
  }

  /**
   * As {@link #startWithScram(String, String)}, the SCRAM listener over TLS (SASL_SSL) when {@code
   * tls} is given: a key pair for 127.0.0.1 made with the JDK's keytool, and its certificate as a
   * PEM file clients trust ({@link Tls#caPem}) — what a Strimzi cluster's CA secret holds.
   */
  public static EmbeddedKafka startWithScram(String user, String password, Tls tls) {
    EmbeddedKafka k = start(0, null, true, tls);
    try (org.apache.kafka.clients.admin.Admin admin =
        org.apache.kafka.clients.admin.Admin.create(
            java.util.Map.of("bootstrap.servers", k.bootstrapServers()))) {
      admin
          .alterUserScramCredentials(
              List.of(
                  new org.apache.kafka.clients.admin.UserScramCredentialUpsertion(
                      user,
                      new org.apache.kafka.clients.admin.ScramCredentialInfo(
                          org.apache.kafka.clients.admin.ScramMechanism.SCRAM_SHA_512, 4096),
                      password)))
          .all()
          .get(30, java.util.concurrent.TimeUnit.SECONDS);
    } catch (Exception e) {
      k.close();
      throw new BrokerException("cannot create the SCRAM user: " + e.getMessage(), e);
    }
    return k;
  }

  /** {@code 127.0.0.1:port} of the SCRAM listener. */
  public String scramBootstrapServers() {
    if (scramPort < 0) {
      throw new IllegalStateException("this broker has no SCRAM listener (startWithScram)");
    }
    return "127.0.0.1:" + scramPort;
  }

  /** Starts a broker on a free loopback port, in a fresh temporary directory. */
  public static EmbeddedKafka start() {
    return start(0, null);
  }

  /**
   * Starts a broker.
   *
   * @param port the client port on 127.0.0.1, or 0 for a free one
   * @param dir the log directory (kept on close, so a restart finds its data), or null for a fresh
   *     temporary one (deleted on close)
   * @throws BrokerException when the port is taken or the broker does not start
   */
  public static EmbeddedKafka start(int port, Path dir) {
    return start(port, dir, false);
  }

  private static EmbeddedKafka start(int port, Path dir, boolean scram) {
    return start(port, dir, scram, null);
  }

  /** A self-signed broker certificate for 127.0.0.1 and the PEM file that trusts it. */
  public record Tls(Path keystore, String password, Path caPem) {
    /** Makes both in {@code dir} with keytool (valid 2 days). */
    public static Tls create(Path dir) {
      try {
        Files.createDirectories(dir);
        Path ks = dir.resolve("broker.p12");
        Path pem = dir.resolve("ca.crt");
        String pass = "broker-" + Long.toHexString(System.nanoTime());
        String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        run(
            keytool,
            "-genkeypair",
            "-alias",
            "broker",
            "-keyalg",
            "RSA",
            "-keysize",
            "2048",
            "-dname",
            "CN=127.0.0.1",
            "-ext",
            "SAN=ip:127.0.0.1",
            "-validity",
            "2",
            "-storetype",
            "PKCS12",
            "-keystore",
            ks.toString(),
            "-storepass",
            pass,
            "-keypass",
            pass);
        run(
            keytool,
            "-exportcert",
            "-rfc",
            "-alias",
            "broker",
            "-keystore",
            ks.toString(),
            "-storepass",
            pass,
            "-file",
            pem.toString());
        return new Tls(ks, pass, pem);
      } catch (IOException | InterruptedException e) {
        throw new BrokerException("cannot make the broker's certificate: " + e.getMessage(), e);
      }
    }

    private static void run(String... cmd) throws IOException, InterruptedException {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes());
      if (p.waitFor() != 0) {
        throw new IOException(String.join(" ", cmd[1]) + " failed: " + out);
      }
    }
  }

  private static EmbeddedKafka start(int port, Path dir, boolean scram, Tls tls) {
    try {
      boolean owns = dir == null;
      Path logDir = owns ? Files.createTempDirectory("distill-kafka-") : dir;
      Files.createDirectories(logDir);
      int brokerPort;
      int controllerPort;
      int scramPort;
      // Both sockets held at once: picked one after the other, the OS may hand out the same
      // ephemeral port twice, and the broker then refuses two listeners on one port (seen in CI).
      try (ServerSocket broker = port == 0 ? bind(0) : requireFree(port);
          ServerSocket controller = bind(0);
          ServerSocket sasl = bind(0)) {
        brokerPort = broker.getLocalPort();
        controllerPort = controller.getLocalPort();
        scramPort = scram ? sasl.getLocalPort() : -1;
      }
      Properties p = new Properties();
      p.put("process.roles", "broker,controller");
      p.put("node.id", "1");
      p.put("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
      String listeners =
          "PLAINTEXT://127.0.0.1:" + brokerPort + ",CONTROLLER://127.0.0.1:" + controllerPort;
      String advertised = "PLAINTEXT://127.0.0.1:" + brokerPort;
      String protocols = "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT";
      if (scram) {
        listeners += ",SCRAM://127.0.0.1:" + scramPort;
        advertised += ",SCRAM://127.0.0.1:" + scramPort;
        protocols += tls == null ? ",SCRAM:SASL_PLAINTEXT" : ",SCRAM:SASL_SSL";
        if (tls != null) {
          p.put("listener.name.scram.ssl.keystore.type", "PKCS12");
          p.put("listener.name.scram.ssl.keystore.location", tls.keystore().toString());
          p.put("listener.name.scram.ssl.keystore.password", tls.password());
          p.put("listener.name.scram.ssl.key.password", tls.password());
        }
        p.put("listener.name.scram.sasl.enabled.mechanisms", SCRAM_MECHANISM);
        p.put(
            "listener.name.scram.scram-sha-512.sasl.jaas.config",
            "org.apache.kafka.common.security.scram.ScramLoginModule required;");
      }
      p.put("listeners", listeners);
      p.put("advertised.listeners", advertised);
      p.put("controller.listener.names", "CONTROLLER");
      p.put("inter.broker.listener.name", "PLAINTEXT");
      p.put("listener.security.protocol.map", protocols);
      p.put("log.dirs", logDir.toString());
      // One node: every internal topic has one replica; few partitions keep start-up fast.
      p.put("offsets.topic.replication.factor", "1");
      p.put("offsets.topic.num.partitions", "4");
      p.put("transaction.state.log.replication.factor", "1");
      p.put("transaction.state.log.min.isr", "1");
      p.put("transaction.state.log.num.partitions", "4");
      p.put("share.coordinator.state.topic.replication.factor", "1");
      p.put("share.coordinator.state.topic.min.isr", "1");
      p.put("group.initial.rebalance.delay.ms", "0");
      p.put("auto.create.topics.enable", "false");
      p.put("log.flush.interval.messages", String.valueOf(Long.MAX_VALUE));
      KafkaConfig config = KafkaConfig.fromProps(p, false);
      if (!Files.exists(logDir.resolve("meta.properties"))) {
        format(logDir);
      }
      KafkaRaftServer server = new KafkaRaftServer(config, Time.SYSTEM);
      server.startup();
      return new EmbeddedKafka(logDir, owns, brokerPort, scramPort, server);
    } catch (IOException e) {
      throw new BrokerException("cannot prepare the embedded broker: " + e.getMessage(), e);
    } catch (RuntimeException e) {
      throw new BrokerException("the embedded broker did not start: " + e.getMessage(), e);
    }
  }

  private static void format(Path logDir) {
    try {
      new Formatter()
          .setPrintStream(new PrintStream(OutputStream.nullOutputStream()))
          .setNodeId(1)
          .setClusterId(Uuid.randomUuid().toString())
          .setDirectories(List.of(logDir.toString()))
          .setMetadataLogDirectory(logDir.toString())
          .setControllerListenerName("CONTROLLER")
          .setReleaseVersion(MetadataVersion.latestProduction())
          .run();
    } catch (Exception e) {
      throw new BrokerException("cannot format the broker's log directory: " + e.getMessage(), e);
    }
  }

  private static ServerSocket bind(int port) throws IOException {
    return new ServerSocket(port, 1, InetAddress.getLoopbackAddress());
  }

  private static ServerSocket requireFree(int port) {
    try {
      return bind(port);
    } catch (IOException e) {
      throw new BrokerException(
          "port "
              + port
              + " on 127.0.0.1 is in use; choose another with --kafka-port (0 picks a free one)",
          e);
    }
  }

  /** {@code 127.0.0.1:port}, for {@code bootstrap.servers}. */
  public String bootstrapServers() {
    return "127.0.0.1:" + port;
  }

  /** The client port. */
  public int port() {
    return port;
  }

  /** Stops the broker and, when it made its own directory, deletes its data. */
  @Override
  public void close() {
    server.shutdown();
    server.awaitShutdown();
    if (ownsLogDir) {
      deleteRecursively(logDir);
    }
  }

  private static void deleteRecursively(Path dir) {
    try (Stream<Path> walk = Files.walk(dir)) {
      walk.sorted(Comparator.reverseOrder()).forEach(EmbeddedKafka::deleteQuietly);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void deleteQuietly(Path p) {
    try {
      Files.deleteIfExists(p);
    } catch (IOException e) {
      // A file the broker still holds open: the temp directory is cleaned by the OS eventually.
    }
  }
}
