package org.convexdistill.app;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.convexdistill.core.data.FashionMnist;

/**
 * Where the Fashion-MNIST files are. An explicit folder is used as given (the repository's small
 * fixture is for tests and for an explicit {@code --data} only); otherwise Debian's {@code
 * dataset-fashion-mnist}, installed here when it is missing and we may (root or passwordless sudo,
 * with apt-get), or else the one command to run is the error.
 */
public final class DataLocation {
  /** The Debian package that installs {@link FashionMnist#DEFAULT_DIR}. */
  public static final String PACKAGE = "dataset-fashion-mnist";

  private DataLocation() {}

  /** The folder to read: {@code explicit} when given, else the installed (or installable) one. */
  public static Path resolve(Path explicit, PrintStream out) {
    if (explicit != null) {
      return explicit;
    }
    Path dir = FashionMnist.DEFAULT_DIR;
    if (installed(dir)) {
      return dir;
    }
    List<String> sudo = privilege();
    if (sudo == null || !onPath("apt-get")) {
      throw new UserException(
          "Fashion-MNIST is not installed: run 'sudo apt-get install "
              + PACKAGE
              + "' (Debian/Ubuntu), or pass --data DIR with the four *-ubyte.gz files");
    }
    out.printf(
        "Fashion-MNIST is not installed: installing Debian's %s (31 MB) with %sapt-get...%n",
        PACKAGE, sudo.isEmpty() ? "" : "sudo ");
    out.flush();
    // A fresh machine may have empty package lists: refresh them once, then install.
    run(sudo, List.of("apt-get", "update", "-qq"));
    if (!run(sudo, List.of("apt-get", "install", "-y", "-qq", PACKAGE)) || !installed(dir)) {
      throw new UserException(
          "could not install "
              + PACKAGE
              + " (see the apt-get output above); run 'sudo apt-get install "
              + PACKAGE
              + "' or pass --data DIR");
    }
    out.println("installed " + PACKAGE + " in " + dir);
    return dir;
  }

  static boolean installed(Path dir) {
    return Files.isRegularFile(dir.resolve(FashionMnist.Split.TRAIN.imagesFile()))
        && Files.isRegularFile(dir.resolve(FashionMnist.Split.TEST.imagesFile()));
  }

  /** [] when root, ["sudo", "-n"] with passwordless sudo, null when we may not install. */
  private static List<String> privilege() {
    if ("root".equals(System.getProperty("user.name")) || uidIsZero()) {
      return List.of();
    }
    if (onPath("sudo") && run(List.of(), List.of("sudo", "-n", "true"))) {
      return List.of("sudo", "-n");
    }
    return null;
  }

  private static boolean uidIsZero() {
    try {
      Process p = new ProcessBuilder("id", "-u").redirectErrorStream(true).start();
      String uid = new String(p.getInputStream().readAllBytes()).trim();
      return p.waitFor(10, TimeUnit.SECONDS) && "0".equals(uid);
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private static boolean onPath(String program) {
    String path = System.getenv("PATH");
    if (path == null) {
      return false;
    }
    for (String dir : path.split(java.io.File.pathSeparator)) {
      if (Files.isExecutable(Path.of(dir, program))) {
        return true;
      }
    }
    return false;
  }

  /** Runs a command with the console as its output; true when it exited 0. */
  private static boolean run(List<String> prefix, List<String> command) {
    List<String> all = new ArrayList<>(prefix);
    all.addAll(command);
    ProcessBuilder pb = new ProcessBuilder(all).inheritIO();
    pb.environment().put("DEBIAN_FRONTEND", "noninteractive");
    try {
      Process p = pb.start();
      if (!p.waitFor(15, TimeUnit.MINUTES)) {
        p.destroyForcibly();
        return false;
      }
      return p.exitValue() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
