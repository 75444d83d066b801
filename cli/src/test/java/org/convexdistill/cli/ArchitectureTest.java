package org.convexdistill.cli;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * The cli is flags → settings → a call into app/bench: it talks to no broker, native math or HTTP
 * itself, so the system can be read in the modules that do.
 */
class ArchitectureTest {
  @Test
  void cliShouldImportNoKafkaNd4jOrHttpClient() {
    noClasses()
        .that()
        .resideInAPackage("org.convexdistill.cli..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "org.apache.kafka..", "org.nd4j..", "java.net.http..", "org.convexdistill.broker..")
        .check(
            new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("org.convexdistill.cli"));
  }
}
