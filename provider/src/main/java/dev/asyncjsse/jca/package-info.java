/**
 * Internal: the private Bouncy Castle TLS stack, the JCA bridge that routes private-key operations to
 * the offloader, and the choice between the JDK's and Bouncy Castle's primitives. Not part of the
 * public API: the public types here serve other AsyncJSSE packages and may change in any release.
 */
package dev.asyncjsse.jca;
