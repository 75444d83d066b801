package org.convexdistill.cli;

import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * {@code --head-weight}: a number ≥ 0, or {@code logits} (also {@code inf}) for the logits alone.
 */
final class HeadWeightConverter implements ITypeConverter<Double> {
  @Override
  public Double convert(String value) {
    String v = value.trim().toLowerCase(java.util.Locale.ROOT);
    if (v.equals("logits") || v.equals("inf") || v.equals("infinity")) {
      return Double.POSITIVE_INFINITY;
    }
    double d;
    try {
      d = Double.parseDouble(v);
    } catch (NumberFormatException e) {
      throw new TypeConversionException(
          "'" + value + "' is not a head weight: give a number >= 0 or 'logits'");
    }
    if (!(d >= 0)) {
      throw new TypeConversionException("head weight must be >= 0 (or 'logits'), got " + value);
    }
    return d;
  }
}
