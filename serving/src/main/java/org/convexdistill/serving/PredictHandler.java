package org.convexdistill.serving;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.util.Locale;
import org.convexdistill.core.data.FashionMnist;
import org.convexdistill.core.stream.ImagePayload;
import org.convexdistill.core.stream.RecordFormatException;
import org.convexdistill.core.stream.UnsupportedContentTypeException;
import org.convexdistill.core.teacher.Logits;

/** {@code POST /v1/predict}: one image as the raw body (PNG, JPEG or 784 raw bytes). */
final class PredictHandler implements Handler {
  private final InferenceService inference;
  private final ServingConfig config;
  private final int numClasses;

  PredictHandler(InferenceService inference, ServingConfig config, int numClasses) {
    this.inference = inference;
    this.config = config;
    this.numClasses = numClasses;
  }

  @Override
  public long handle(HttpExchange ex, String path, String method) throws IOException, ApiException {
    HttpIo.requireMethod(method, "POST");
    return predict(ex);
  }

  private long predict(HttpExchange ex) throws IOException, ApiException {
    byte[] body = HttpIo.readBody(ex, config.maxBodyBytes());
    String type = ex.getRequestHeaders().getFirst("Content-Type");
    if (type != null && type.toLowerCase(Locale.ROOT).startsWith("multipart/")) {
      throw new ApiException.UnsupportedMediaType(
          "send the image as the raw request body, not multipart");
    }
    byte[] pixels;
    try {
      pixels = ImagePayload.decode(body, type);
    } catch (UnsupportedContentTypeException e) {
      throw new ApiException.UnsupportedMediaType(e.getMessage());
    } catch (RecordFormatException e) {
      throw new ApiException.BadRequest(e.getMessage());
    }
    Batcher.Result r = inference.infer(pixels, 1);
    ObjectNode out = HttpIo.JSON.createObjectNode();
    int cls = Logits.argmax(r.logits(), 0, numClasses);
    out.put("class", cls);
    if (numClasses == FashionMnist.CLASSES.length) {
      out.put("label", FashionMnist.CLASSES[cls]);
    }
    ArrayNode probs = out.putArray("probabilities");
    for (float p : HttpIo.softmax(r.logits(), 0, numClasses)) {
      probs.add(p);
    }
    out.put("model", r.model().kind());
    out.put("student_version", r.model().version());
    ex.getResponseHeaders().set(ServingServer.VERSION_HEADER, String.valueOf(r.model().version()));
    HttpIo.send(ex, 200, out);
    return r.model().version();
  }
}
