package org.convexdistill.cli;

import java.nio.file.Path;
import org.convexdistill.app.DistillHome;
import org.convexdistill.core.data.FashionMnist;
import org.convexdistill.teacher.DjlTeacher;
import org.convexdistill.teacher.TeacherException;
import picocli.CommandLine.Option;

/** {@code --model DIR}: the trained teacher to use. */
final class TeacherOptions {
  @Option(
      names = "--model",
      paramLabel = "DIR",
      description = "Trained teacher folder (default: $DISTILL_HOME/teacher).")
  Path model = DistillHome.defaultTeacher();

  DjlTeacher load() throws TeacherException {
    return DjlTeacher.load(model, FashionMnist.CLASSES.length, TeacherCommand.BATCH);
  }
}
