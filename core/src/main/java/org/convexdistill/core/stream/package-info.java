/**
 * Wire formats of the streaming service, free of any Kafka import: the activation record, the
 * student release (student + lineage + certificate) and image payload decoding. Serdes in the
 * runtime module wrap these.
 */
package org.convexdistill.core.stream;
