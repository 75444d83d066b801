/**
 * The application layer the {@code distill} command calls: the local stack (every role on an
 * embedded broker), the streaming demo and its report, the offline pipeline, where the data is
 * (installing Debian's package when allowed), the teacher cache keyed by its training data, and the
 * console (progress, log routing, the exception-to-message map).
 */
package org.convexdistill.app;
