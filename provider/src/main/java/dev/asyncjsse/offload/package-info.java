/**
 * Internal: handshake jobs and their scheduler, the built-in key offloaders and the settings read
 * from system and security properties. Not part of the public API (the property names are): the
 * public types here serve other AsyncJSSE packages and may change in any release.
 */
package dev.asyncjsse.offload;
