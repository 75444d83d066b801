package org.convexdistill.teacher;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The JSON card saved beside a trained teacher ({@code model-card.json}).
 *
 * @param datasetSha256 SHA-256 of the training images file, so a card names the data it saw
 */
public record ModelCard(
    String architecture,
    int epochs,
    long seed,
    int batchSize,
    double learningRate,
    int trainImages,
    double testAccuracy,
    int testImages,
    double trainSeconds,
    long parameters,
    String datasetSha256,
    String createdAt) {
  public static final String FILE = "model-card.json";
  private static final ObjectMapper MAPPER =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  public void write(Path dir) throws IOException {
    MAPPER.writeValue(dir.resolve(FILE).toFile(), this);
  }

  public static ModelCard read(Path dir) throws IOException {
    Path file = dir.resolve(FILE);
    if (!Files.isRegularFile(file)) {
      throw new TeacherException(
          "no model card in "
              + dir
              + "; train a teacher with 'distill teacher train --out "
              + dir
              + "'");
    }
    return MAPPER.readValue(file.toFile(), ModelCard.class);
  }
}
