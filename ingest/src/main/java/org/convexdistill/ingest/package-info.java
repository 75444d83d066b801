/**
 * The ingest role: device publishers and the Kafka Streams stage that runs the teacher. Filled in
 * by the teacher and streaming issues; the module exists so the build layout is final.
 */
package org.convexdistill.ingest;
