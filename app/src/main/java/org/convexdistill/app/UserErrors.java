package org.convexdistill.app;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import org.convexdistill.broker.BrokerException;
import org.convexdistill.core.data.DataFormatException;
import org.convexdistill.core.npy.NpyFormatException;
import org.convexdistill.solver.InvalidProblemException;
import org.convexdistill.teacher.TeacherException;

/**
 * The one map from an exception to what a user is told: the exceptions that mean bad input (flags,
 * files, values, a busy port) get one line; anything else is a bug and gets its stack trace.
 */
public final class UserErrors {
  private UserErrors() {}

  /** The one-line message for a user error, or null when {@code e} is a bug. */
  public static String message(Throwable e) {
    if (e instanceof UncheckedIOException u) {
      if (u.getCause() instanceof java.net.BindException) {
        return u.getMessage();
      }
      return message(u.getCause());
    }
    if (e instanceof UserException || e instanceof InvalidProblemException) {
      return e.getMessage();
    }
    if (e instanceof NoSuchFileException f) {
      return "file not found: " + f.getFile();
    }
    if (e instanceof AccessDeniedException f) {
      return "permission denied: " + f.getFile();
    }
    if (e instanceof NpyFormatException
        || e instanceof DataFormatException
        || e instanceof TeacherException
        || e instanceof BrokerException) {
      return e.getMessage();
    }
    if (e instanceof IOException) {
      return e.getClass().getSimpleName() + ": " + e.getMessage();
    }
    return null;
  }
}
