package org.convexdistill.serving;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** {@link InferenceService} over the dynamic {@link Batcher}, with a per-request time limit. */
final class BatchedInference implements InferenceService {
  static final long REQUEST_TIMEOUT_SECONDS = 30;

  private final Batcher batcher;

  BatchedInference(Batcher batcher) {
    this.batcher = batcher;
  }

  @Override
  public Batcher.Result infer(byte[] pixels, int n) throws ApiException {
    try {
      return batcher.submit(pixels, n).get(REQUEST_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    } catch (OverloadedException e) {
      throw new ApiException.Unavailable(e.getMessage() + "; retry later");
    } catch (TimeoutException e) {
      throw new ApiException.Unavailable(
          "inference timed out after " + REQUEST_TIMEOUT_SECONDS + " s");
    } catch (ExecutionException e) {
      throw new IllegalStateException("inference failed: " + e.getCause(), e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ApiException.Unavailable("interrupted");
    }
  }
}
