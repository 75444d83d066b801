/**
 * The {@code distill} command: one picocli entry point that runs every role. Commands only parse
 * flags, load inputs and print; the work happens in the role modules.
 */
package org.convexdistill.cli;
