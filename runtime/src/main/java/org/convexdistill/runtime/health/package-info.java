/** Liveness and readiness that Kubernetes can trust: each worker reports for itself. */
package org.convexdistill.runtime.health;
