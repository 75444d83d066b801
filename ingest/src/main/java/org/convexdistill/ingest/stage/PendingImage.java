package org.convexdistill.ingest.stage;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.convexdistill.core.stream.ImagePayload;

/**
 * A decoded image waiting in a partition's buffer, with what its activation record needs later (the
 * punctuator that may flush it has no record context). Stored in the changelogged buffer.
 */
record PendingImage(
    String key, String topic, int partition, long offset, long timestamp, byte[] pixels) {
  byte[] encode() {
    byte[] k = key == null ? new byte[0] : key.getBytes(StandardCharsets.UTF_8);
    byte[] t = topic.getBytes(StandardCharsets.UTF_8);
    ByteBuffer b = ByteBuffer.allocate(1 + 4 + k.length + 4 + t.length + 4 + 8 + 8 + pixels.length);
    b.put((byte) (key == null ? 0 : 1)).putInt(k.length).put(k).putInt(t.length).put(t);
    b.putInt(partition).putLong(offset).putLong(timestamp).put(pixels);
    return b.array();
  }

  static PendingImage decode(byte[] bytes) {
    ByteBuffer b = ByteBuffer.wrap(bytes);
    boolean hasKey = b.get() != 0;
    byte[] k = new byte[b.getInt()];
    b.get(k);
    byte[] t = new byte[b.getInt()];
    b.get(t);
    int partition = b.getInt();
    long offset = b.getLong();
    long timestamp = b.getLong();
    byte[] pixels = new byte[ImagePayload.RAW_BYTES];
    b.get(pixels);
    return new PendingImage(
        hasKey ? new String(k, StandardCharsets.UTF_8) : null,
        new String(t, StandardCharsets.UTF_8),
        partition,
        offset,
        timestamp,
        pixels);
  }
}
