/**
 * Reading and writing NumPy {@code .npy} files (format 1.0–3.0, float32/float64, C order), so
 * activations and solutions can be inspected and produced with NumPy.
 */
package org.convexdistill.core.npy;
