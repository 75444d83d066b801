package org.convexdistill.cli;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import org.convexdistill.app.UserException;

/** Reads {@code --kafka-config}: a Java properties file of Kafka client settings. */
final class KafkaPropertiesFile {
  private KafkaPropertiesFile() {}

  static Map<String, String> read(Path file) {
    Properties p = new Properties();
    try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      p.load(r);
    } catch (NoSuchFileException e) {
      throw new UserException("--kafka-config: no such file: " + file);
    } catch (IOException | IllegalArgumentException e) {
      throw new UserException(
          "--kafka-config: cannot read " + file + " as Java properties (" + e.getMessage() + ")");
    }
    Map<String, String> out = new TreeMap<>();
    p.stringPropertyNames().forEach(k -> out.put(k, p.getProperty(k)));
    return out;
  }
}
