/** Micrometer → Prometheus: the registry every role uses and its scrape endpoint. */
package org.convexdistill.runtime.metrics;
