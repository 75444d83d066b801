package org.convexdistill.runtime.kafka;

import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * Where Kafka is and how to talk to it: the bootstrap servers plus the user's client settings
 * (SASL/SCRAM, TLS, timeouts...) passed through to every producer, consumer, admin and Streams
 * client a role creates.
 *
 * <p>The user's settings go in first; the settings a role needs for its guarantees (serializers,
 * exactly-once, transactional ids, isolation level, group ids) are put after them and win. That way
 * a properties file meant for one client cannot silently weaken another's semantics.
 *
 * @param bootstrapServers {@code host:port[,...]}
 * @param properties client settings, never {@code bootstrap.servers}
 */
public record KafkaConnection(String bootstrapServers, Map<String, String> properties) {
  public KafkaConnection {
    if (bootstrapServers == null || bootstrapServers.isBlank()) {
      throw new IllegalArgumentException("bootstrap servers are required");
    }
    properties = Map.copyOf(new TreeMap<>(properties));
    if (properties.containsKey("bootstrap.servers")) {
      throw new IllegalArgumentException(
          "give bootstrap.servers as --bootstrap-servers, not as a client property");
    }
  }

  /** A plaintext connection with no extra settings (the embedded broker, tests). */
  public static KafkaConnection of(String bootstrapServers) {
    return new KafkaConnection(bootstrapServers, Map.of());
  }

  /** The same servers with {@code more} settings added (later ones win). */
  public KafkaConnection with(Map<String, String> more) {
    Map<String, String> all = new TreeMap<>(properties);
    all.putAll(more);
    return new KafkaConnection(bootstrapServers, all);
  }

  /** A fresh {@link Properties} holding the user's settings and the bootstrap servers. */
  public Properties clientProperties() {
    Properties p = new Properties();
    p.putAll(properties);
    p.put("bootstrap.servers", bootstrapServers);
    return p;
  }

  /** The same as a map, for clients configured with one. */
  public Map<String, Object> clientConfig() {
    Map<String, Object> m = new TreeMap<>(properties);
    m.put("bootstrap.servers", bootstrapServers);
    return m;
  }

  /** The settings' names with secrets' values hidden, for logs. */
  @Override
  public String toString() {
    Map<String, String> shown = new TreeMap<>();
    properties.forEach((k, v) -> shown.put(k, secret(k) ? "<hidden>" : v));
    return "KafkaConnection[" + bootstrapServers + ", " + shown + "]";
  }

  private static boolean secret(String key) {
    String k = key.toLowerCase(java.util.Locale.ROOT);
    return k.contains("password")
        || k.contains("jaas")
        || k.contains("secret")
        || k.endsWith(".key");
  }
}
