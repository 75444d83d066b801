package org.convexdistill.ingest.device;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.convexdistill.core.data.ImageFolder;
import org.convexdistill.core.data.Images;
import org.convexdistill.core.stream.ImagePayload;

/**
 * K simulated devices publishing images round-robin at a total rate, as PNG (what a camera would
 * send) or raw bytes. Paced against the start time, so the long-run rate is exact.
 */
public final class SimulatedDevices {
  private final DevicePublisher publisher;
  private final int devices;
  private final double rate;
  private final boolean png;
  private final AtomicLong sent = new AtomicLong();

  /**
   * @param rate images per second in total (0 = as fast as the producer takes them)
   */
  public SimulatedDevices(DevicePublisher publisher, int devices, double rate, boolean png) {
    if (devices < 1 || rate < 0) {
      throw new IllegalArgumentException("devices must be >= 1 and rate >= 0");
    }
    this.publisher = publisher;
    this.devices = devices;
    this.rate = rate;
    this.png = png;
  }

  /** Images sent so far. */
  public long sent() {
    return sent.get();
  }

  /**
   * Publishes images {@code [from, from + count)} (28×28), then flushes. Returns early when {@code
   * stop} is set.
   */
  public void publish(Images images, int from, int count, AtomicBoolean stop)
      throws InterruptedException {
    if (images.height() != ImagePayload.SIDE || images.width() != ImagePayload.SIDE) {
      throw new IllegalArgumentException("images must be 28×28");
    }
    long start = System.nanoTime();
    for (int i = 0; i < count && !stop.get(); i++) {
      if (rate > 0) {
        long due = start + (long) (i * 1e9 / rate);
        long wait = due - System.nanoTime();
        if (wait > 0) {
          Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
        }
      }
      byte[] raw = images.slice(from + i, 1).pixels();
      byte[] payload = png ? ImageFolder.encodePng(raw, ImagePayload.SIDE) : raw;
      publisher.publish("device-" + (i % devices), payload, png ? "image/png" : ImagePayload.RAW);
      sent.incrementAndGet();
    }
    publisher.flush();
  }
}
