/**
 * The teacher: a torchvision-layout ResNet-18 built from DJL blocks (PyTorch engine, CPU), its
 * training, persistence and the prefix/block/suffix split. The only package that imports DJL.
 */
package org.convexdistill.teacher;
