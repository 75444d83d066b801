/** How every role reaches Kafka: the bootstrap servers plus the user's client settings. */
package org.convexdistill.runtime.kafka;
