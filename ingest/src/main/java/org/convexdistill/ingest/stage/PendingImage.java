package org.convexdistill.ingest.stage;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.convexdistill.core.stream.ImagePayload;

/**
 * An image waiting in a partition's buffer, with what its activation record needs later (the
 * punctuator that may flush it has no record context). Stored in the changelogged buffer as the
 * device sent it (payload and content type), so a batch the teacher fails on is dead-lettered byte
 * for byte and can be replayed; the decoded pixels stay in memory beside it.
 */
record PendingImage(
    String key,
    String topic,
    int partition,
    long offset,
    long timestamp,
    String contentType,
    byte[] payload) {
  /**
   * Leads the encoding; the format before it (decoded pixels, no content type) began with 0 or 1
   * and still decodes, so a buffer changelogged by an older stage restores.
   */
  private static final byte FORMAT_2 = 2;

  byte[] encode() {
    byte[] k = key == null ? new byte[0] : key.getBytes(StandardCharsets.UTF_8);
    byte[] t = topic.getBytes(StandardCharsets.UTF_8);
    byte[] c = contentType == null ? new byte[0] : contentType.getBytes(StandardCharsets.UTF_8);
    ByteBuffer b =
        ByteBuffer.allocate(
            1
                + 1
                + 4
                + k.length
                + 4
                + t.length
                + 4
                + 8
                + 8
                + 1
                + 4
                + c.length
                + 4
                + payload.length);
    b.put(FORMAT_2).put((byte) (key == null ? 0 : 1)).putInt(k.length).put(k);
    b.putInt(t.length).put(t).putInt(partition).putLong(offset).putLong(timestamp);
    b.put((byte) (contentType == null ? 0 : 1)).putInt(c.length).put(c);
    b.putInt(payload.length).put(payload);
    return b.array();
  }

  static PendingImage decode(byte[] bytes) {
    ByteBuffer b = ByteBuffer.wrap(bytes);
    byte first = b.get();
    boolean format2 = first == FORMAT_2;
    boolean hasKey = (format2 ? b.get() : first) != 0;
    String key = string(b);
    String topic = string(b);
    int partition = b.getInt();
    long offset = b.getLong();
    long timestamp = b.getLong();
    if (!format2) {
      byte[] pixels = new byte[ImagePayload.RAW_BYTES];
      b.get(pixels);
      return new PendingImage(
          hasKey ? key : null, topic, partition, offset, timestamp, ImagePayload.RAW, pixels);
    }
    boolean hasType = b.get() != 0;
    String type = string(b);
    byte[] payload = new byte[b.getInt()];
    b.get(payload);
    return new PendingImage(
        hasKey ? key : null, topic, partition, offset, timestamp, hasType ? type : null, payload);
  }

  private static String string(ByteBuffer b) {
    byte[] s = new byte[b.getInt()];
    b.get(s);
    return new String(s, StandardCharsets.UTF_8);
  }
}
