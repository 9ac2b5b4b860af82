/**
 * Internal: the session ticket keys of an {@code SSLContext} ({@link dev.asyncjsse.tickets.TicketKeyRing}),
 * which seal the resumption state the native TLS 1.3 server puts in its tickets. Not part of the
 * public API: applications set keys with {@code dev.asyncjsse.AsyncJsse.setTicketKeys} or the
 * {@code dev.asyncjsse.tickets.keyFile} property.
 */
package dev.asyncjsse.tickets;
