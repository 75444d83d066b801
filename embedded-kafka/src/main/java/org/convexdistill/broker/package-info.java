/** A real Kafka broker (KRaft) in this JVM, for the embedded mode and the tests. */
package org.convexdistill.broker;
