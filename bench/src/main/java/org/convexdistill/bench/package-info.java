/**
 * JMH benchmarks of the solver's kernels; run with {@code java -jar bench/target/benchmarks.jar}.
 */
package org.convexdistill.bench;
