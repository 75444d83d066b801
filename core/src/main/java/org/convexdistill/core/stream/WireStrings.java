package org.convexdistill.core.stream;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/** Length-prefixed (unsigned 16-bit) UTF-8 strings, as both record formats store them. */
final class WireStrings {
  private WireStrings() {}

  static void put(ByteBuffer b, byte[] utf8) {
    b.putShort((short) utf8.length).put(utf8);
  }

  static String get(ByteBuffer b) {
    byte[] s = new byte[b.getShort() & 0xffff];
    b.get(s);
    return new String(s, StandardCharsets.UTF_8);
  }
}
