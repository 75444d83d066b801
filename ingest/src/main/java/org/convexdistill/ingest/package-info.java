/**
 * The ingest role: the device publisher library ({@code device}) and the Kafka Streams stage that
 * runs the teacher on device images and emits block activations ({@code stage}).
 */
package org.convexdistill.ingest;
