package org.convexdistill.cli;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** Only the teacher package imports DJL. */
class DjlBoundaryTest {
  @Test
  void onlyTheTeacherPackageImportsDjl() {
    noClasses()
        .that()
        .resideOutsideOfPackage("org.convexdistill.teacher..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("ai.djl..")
        .check(
            new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("org.convexdistill"));
  }
}
