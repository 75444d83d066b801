package org.convexdistill.core;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** core is shared by every role, so it stays free of Kafka, DJL, HTTP and native math. */
class ArchitectureTest {
  @Test
  void coreShouldImportNoKafkaDjlHttpOrNd4j() {
    noClasses()
        .that()
        .resideInAPackage("org.convexdistill.core..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "org.apache.kafka..",
            "ai.djl..",
            "com.sun.net.httpserver..",
            "java.net.http..",
            "io.netty..",
            "org.eclipse.jetty..",
            "jakarta.servlet..",
            "org.nd4j..")
        .check(
            new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("org.convexdistill.core"));
  }
}
