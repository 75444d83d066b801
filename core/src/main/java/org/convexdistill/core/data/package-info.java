/**
 * Image data: Fashion-MNIST's gzipped IDX files, folders of PNG/JPEG images, and the preprocessing
 * every role shares (pad 28×28 to 32×32, normalise). Unlabeled and labeled sets are different types
 * so labels cannot reach the learner by accident.
 */
package org.convexdistill.core.data;
