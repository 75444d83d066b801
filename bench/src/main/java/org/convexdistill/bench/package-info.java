/**
 * Every benchmark body: serving latency (teacher vs hybrid, batching, swap bursts), ingest stage vs
 * raw teacher throughput, the live learner's cold and warm refits, solver GFLOP/s and the warm
 * refit comparison ({@code distill bench ...}), and JMH kernels ({@code java -jar
 * bench/target/benchmarks.jar}).
 */
package org.convexdistill.bench;
