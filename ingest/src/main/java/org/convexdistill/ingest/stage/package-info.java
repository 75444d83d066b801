/**
 * The inference stage: a Kafka Streams application that turns device images into the teacher
 * block's input/output activations, exactly once, dead-lettering what it cannot decode.
 */
package org.convexdistill.ingest.stage;
