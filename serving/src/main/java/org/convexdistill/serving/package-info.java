/**
 * The serving role: HTTP inference with hot-swapped students. Filled in by the streaming issue; the
 * module exists so the build layout is final.
 */
package org.convexdistill.serving;
