/**
 * Offline convex distillation: teacher activations for a block from unlabeled images, a convex
 * student fitted to them for a parameter budget, and the hybrid network with the student swapped
 * in. Label-free by construction: these APIs accept {@code Images}, which carry no labels.
 */
package org.convexdistill.learner.offline;
