package org.convexdistill.cli;

import java.util.Locale;
import java.util.function.UnaryOperator;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Every long option can also come from the environment: {@code --window-size} from {@code
 * DISTILL_WINDOW_SIZE}. A flag on the command line wins over the variable, the variable over the
 * built-in default. What Kubernetes manifests use.
 */
final class EnvDefaults implements CommandLine.IDefaultValueProvider {
  private final UnaryOperator<String> env;

  EnvDefaults() {
    this(System::getenv);
  }

  EnvDefaults(UnaryOperator<String> env) {
    this.env = env;
  }

  /** The variable for an option name: {@code --max-batch} → {@code DISTILL_MAX_BATCH}. */
  static String variable(String longName) {
    return "DISTILL_" + longName.replaceFirst("^-+", "").replace('-', '_').toUpperCase(Locale.ROOT);
  }

  @Override
  public String defaultValue(ArgSpec arg) {
    if (arg instanceof OptionSpec o && o.longestName().startsWith("--")) {
      String name = o.longestName();
      if (name.equals("--help") || name.equals("--version")) {
        return null;
      }
      String v = env.apply(variable(name));
      return v == null || v.isBlank() ? null : v;
    }
    return null;
  }
}
