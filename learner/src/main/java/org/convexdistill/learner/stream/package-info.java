/**
 * The online learner: a sliding window of teacher activations from Kafka, warm-started convex
 * refits, validation of each candidate, and transactional publication of student versions with
 * their lineage. Label-free by construction: it reads only activation records.
 */
package org.convexdistill.learner.stream;
