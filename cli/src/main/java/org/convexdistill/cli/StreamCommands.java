package org.convexdistill.cli;

/** Text shared by the streaming commands' help. */
final class StreamCommands {
  private StreamCommands() {}

  static final String ENV_FOOTER =
      "%nEvery option can also be set in the environment: --window-size as DISTILL_WINDOW_SIZE,"
          + " --bootstrap-servers as DISTILL_BOOTSTRAP_SERVERS, and so on. A flag wins over the"
          + " variable, the variable over the default.";
}
