package org.convexdistill.learner.offline;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.convexdistill.core.data.FashionMnist;
import org.convexdistill.core.data.LabeledImages;
import org.junit.jupiter.api.Test;

/**
 * Label-free is a property: nothing on the learner path (solver, offline distillation, the online
 * learner) can refer to a labeled type or to the dataset loader that produces one. Only evaluation
 * may.
 */
class LabelFreeTest {
  private static final JavaClasses LEARNER =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPackages("org.convexdistill.learner");

  @Test
  void learnerPathShouldNeverSeeALabel() {
    noClasses()
        .that()
        .resideInAnyPackage(
            "org.convexdistill.solver..",
            "org.convexdistill.learner.offline..",
            "org.convexdistill.learner.stream..")
        .should()
        .dependOnClassesThat()
        .belongToAnyOf(LabeledImages.class, FashionMnist.class)
        .because("labels may reach only evaluation code")
        .check(LEARNER);
  }

  @Test
  void evaluationIsWhereLabelsAreRead() {
    // Guards the rule above against vacuity: evaluation does use labels, and the importer sees it.
    com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes()
        .that()
        .resideInAPackage("org.convexdistill.learner.evaluation..")
        .and()
        .haveSimpleName("HybridEvaluation")
        .should()
        .dependOnClassesThat()
        .belongToAnyOf(LabeledImages.class)
        .check(LEARNER);
  }
}
