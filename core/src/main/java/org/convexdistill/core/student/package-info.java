/**
 * The compact student block distilled from a convex solution, and its forward pass: a two-layer
 * gated-ReLU network whose gates act on column-normalised inputs.
 */
package org.convexdistill.core.student;
