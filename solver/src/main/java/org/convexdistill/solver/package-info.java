/**
 * The convex gated-ReLU group-lasso problem and its R-FISTA solver on ND4J, with duality-gap
 * certificates, warm starts, regularisation paths and conversion to a compact student.
 */
package org.convexdistill.solver;
