package org.convexdistill.runtime.topics;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * Headers of a dead-lettered record. The value is the original bytes, unchanged, and the original
 * headers are kept, so nothing is lost and the record can be replayed after a fix.
 */
public final class DeadLetters {
  public static final String STAGE = "dl.stage";
  public static final String REASON = "dl.reason";
  public static final String SOURCE_TOPIC = "dl.source.topic";
  public static final String SOURCE_PARTITION = "dl.source.partition";
  public static final String SOURCE_OFFSET = "dl.source.offset";

  private DeadLetters() {}

  /** The original headers plus stage, reason and source coordinates. */
  public static Headers headers(
      Headers original, String stage, String reason, String topic, int partition, long offset) {
    RecordHeaders h = new RecordHeaders();
    if (original != null) {
      for (Header x : original) {
        h.add(x);
      }
    }
    h.add(STAGE, utf8(stage));
    h.add(REASON, utf8(reason));
    h.add(SOURCE_TOPIC, utf8(topic));
    h.add(SOURCE_PARTITION, utf8(String.valueOf(partition)));
    h.add(SOURCE_OFFSET, utf8(String.valueOf(offset)));
    return h;
  }

  /** The last value of a header as a string, or null. */
  public static String text(Headers headers, String key) {
    Header h = headers == null ? null : headers.lastHeader(key);
    return h == null || h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8);
  }

  private static byte[] utf8(String s) {
    return (s == null ? "" : s).getBytes(StandardCharsets.UTF_8);
  }
}
