/**
 * Evaluation against held-out labels: the only learner code that may see a label (an ArchUnit test
 * keeps labels out of the solver and the distillation path).
 */
package org.convexdistill.learner.evaluation;
