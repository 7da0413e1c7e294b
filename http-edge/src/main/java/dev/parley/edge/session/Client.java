package dev.parley.edge.session;

import dev.parley.edge.admission.Admission;

/**
 * Who is on the other end of a connection, as its transport saw it at the upgrade: the client's address (after
 * trusted proxies), its User-Agent header (or null), and the connection slot admission control granted it, which
 * the session releases when it ends.
 */
public record Client(String address, String userAgent, Admission.Permit permit) {}
