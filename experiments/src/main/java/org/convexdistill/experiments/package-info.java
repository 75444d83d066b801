/**
 * The paper's experiments (Varshney &amp; Pilanci, "Convex Distillation"): each compares convex
 * students with baselines on one teacher and writes a CSV of every measurement, PNG plots and a
 * Markdown report that names the exact command. Labels are read here only to score hybrids.
 */
package org.convexdistill.experiments;
