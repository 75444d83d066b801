/** Topic names, their declarations and the dead-letter header convention. */
package org.convexdistill.runtime.topics;
