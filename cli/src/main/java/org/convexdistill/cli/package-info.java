/**
 * The {@code distill} command: picocli adapters that turn flags into the settings records of the
 * app, bench and role modules and call them. No Kafka, ND4J or HTTP client here (an ArchUnit test
 * guards it); the work happens in the modules.
 */
package org.convexdistill.cli;
