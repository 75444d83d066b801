package org.convexdistill.solver;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** Pure computation stays free of I/O frameworks: core and the solver import no Kafka/DJL/HTTP. */
class ArchitectureTest {
  static final String[] FORBIDDEN = {
    "org.apache.kafka..",
    "ai.djl..",
    "com.sun.net.httpserver..",
    "java.net.http..",
    "io.netty..",
    "org.eclipse.jetty..",
    "io.undertow..",
    "jakarta.servlet..",
    "javax.servlet..",
    "io.micrometer.."
  };

  @Test
  void coreAndSolverShouldNotDependOnKafkaDjlOrHttp() {
    JavaClasses classes =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("org.convexdistill.core", "org.convexdistill.solver");
    noClasses()
        .that()
        .resideInAnyPackage("org.convexdistill.core..", "org.convexdistill.solver..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(FORBIDDEN)
        .check(classes);
  }
}
