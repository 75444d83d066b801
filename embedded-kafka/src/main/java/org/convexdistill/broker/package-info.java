/**
 * A real Kafka broker (KRaft) in this JVM, for the local stack of the app module and the tests. No
 * role depends on it outside its tests.
 */
package org.convexdistill.broker;
