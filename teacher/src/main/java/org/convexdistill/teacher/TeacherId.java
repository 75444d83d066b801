package org.convexdistill.teacher;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Names a trained teacher by its content, so activations, releases and serving can check they
 * belong to the same weights: {@code "resnet18-"} + the first 12 hex digits of the SHA-256 of its
 * parameters file.
 */
public final class TeacherId {
  private TeacherId() {}

  /** The id of the teacher saved in {@code modelDir}. */
  public static String of(Path modelDir) throws IOException {
    Path params = modelDir.resolve(DjlTeacher.MODEL_NAME + "-0000.params");
    if (!Files.isRegularFile(params)) {
      throw new TeacherException("no teacher parameters in " + modelDir + " (" + params + ")");
    }
    return "resnet18-" + sha256(params).substring(0, 12);
  }

  /** The SHA-256 of a file's bytes, as 64 lower-case hex digits. */
  public static String sha256(Path file) throws IOException {
    try (InputStream in =
        new DigestInputStream(Files.newInputStream(file), MessageDigest.getInstance("SHA-256"))) {
      in.transferTo(OutputStream.nullOutputStream());
      return HexFormat.of().formatHex(((DigestInputStream) in).getMessageDigest().digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }
}
