/**
 * The engine-neutral view of a teacher network split at a block: prefix, block and suffix over
 * plain float arrays. Implementations live in one package that imports the deep-learning engine.
 */
package org.convexdistill.core.teacher;
