package org.convexdistill.experiments;

import java.nio.file.Path;
import java.util.List;

/** What an experiment measured and the files it wrote. */
public record Written(List<Row> rows, double teacherAccuracy, Path csv, Path png, Path md) {}
