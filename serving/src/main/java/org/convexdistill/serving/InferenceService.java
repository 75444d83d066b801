package org.convexdistill.serving;

/**
 * What the protocol handlers call to classify images: the seam between HTTP and batching, so the
 * handlers know nothing of queues and the batcher nothing of HTTP.
 */
public interface InferenceService {
  /**
   * Logits of n images of 784 grey bytes each, and the model that produced them.
   *
   * @throws ApiException.Unavailable when overloaded or timed out
   */
  Batcher.Result infer(byte[] pixels, int n) throws ApiException;
}
