package org.convexdistill.ingest.stage;

/**
 * What the inference processor emits: an activation record, or the original bytes to dead-letter.
 */
record Outcome(boolean ok, byte[] bytes) {
  static Outcome activation(byte[] encoded) {
    return new Outcome(true, encoded);
  }

  static Outcome deadLetter(byte[] original) {
    return new Outcome(false, original);
  }
}
