/**
 * The serving role: an HTTP endpoint running prefix + current student + suffix with dynamic
 * batching, following the {@code students} topic and hot-swapping checked versions.
 */
package org.convexdistill.serving;
