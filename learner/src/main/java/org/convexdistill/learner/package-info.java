/** The learner role: fits convex students to teacher activations. */
package org.convexdistill.learner;
