package org.convexdistill.core.stream;

import java.util.Locale;
import org.convexdistill.core.data.DataFormatException;
import org.convexdistill.core.data.ImageFolder;

/**
 * Decodes the bytes a device sends into 28×28 grey pixels: raw (exactly 784 bytes) or a PNG/JPEG of
 * exactly 28×28. Anything else is rejected with the reason (the caller dead-letters it): we do not
 * silently rescale images of another size, since that would feed the teacher a distribution it
 * never saw.
 */
public final class ImagePayload {
  /** Side of the images the service takes. */
  public static final int SIDE = ImageFolder.SIDE;

  /** Bytes of a raw image. */
  public static final int RAW_BYTES = SIDE * SIDE;

  /** Content types a device may declare. */
  public static final String RAW = "application/x-raw-gray8";

  private ImagePayload() {}

  /**
   * Decodes one payload.
   *
   * @param contentType the declared type (header), or null to sniff PNG/JPEG magic and fall back to
   *     raw by length
   * @throws RecordFormatException when the bytes are not a 28×28 image of a supported kind
   */
  public static byte[] decode(byte[] bytes, String contentType) throws RecordFormatException {
    if (bytes == null || bytes.length == 0) {
      throw new RecordFormatException("empty image payload");
    }
    String type = contentType == null ? sniff(bytes) : contentType.toLowerCase(Locale.ROOT).trim();
    if (type.startsWith(RAW) || type.equals("application/octet-stream")) {
      if (bytes.length != RAW_BYTES) {
        throw new RecordFormatException(
            "raw image has " + bytes.length + " bytes; expected " + RAW_BYTES + " (28×28 grey)");
      }
      return bytes.clone();
    }
    if (!type.equals("image/png") && !type.equals("image/jpeg")) {
      throw new UnsupportedContentTypeException(
          "unsupported content-type '"
              + contentType
              + "' (use image/png, image/jpeg or "
              + RAW
              + ")");
    }
    byte[] pixels;
    try {
      pixels = ImageFolder.decodeExact(bytes, SIDE);
    } catch (DataFormatException e) {
      throw new RecordFormatException(e.getMessage());
    }
    if (pixels == null) {
      throw new RecordFormatException("not a decodable " + type + " image");
    }
    return pixels;
  }

  /** image/png, image/jpeg, or raw for anything else. */
  static String sniff(byte[] b) {
    if (b.length >= 8 && (b[0] & 0xff) == 0x89 && b[1] == 'P' && b[2] == 'N' && b[3] == 'G') {
      return "image/png";
    }
    if (b.length >= 3 && (b[0] & 0xff) == 0xff && (b[1] & 0xff) == 0xd8) {
      return "image/jpeg";
    }
    return RAW;
  }
}
