/** The library a device embeds to publish images (and the simulated devices of the demo). */
package org.convexdistill.ingest.device;
