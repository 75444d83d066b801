/**
 * The learner role: the online learner over Kafka ({@code stream}), offline distillation of a block
 * ({@code offline}) and hybrid evaluation ({@code evaluation}). The solver itself is the solver
 * module.
 */
package org.convexdistill.learner;
