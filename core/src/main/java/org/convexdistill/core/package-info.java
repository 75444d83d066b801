/**
 * Shared, I/O-light building blocks used by every role: array codecs and the student network.
 * Nothing here may import Kafka, DJL or HTTP classes (an ArchUnit test guards it).
 */
package org.convexdistill.core;
