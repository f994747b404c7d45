/**
 * Fault injection for tests and the chaos tool: a TCP proxy whose link can be cut or stalled. Here (not in
 * test-support) because the tools module's main code (chaos) uses it and depends on protocol but on no test
 * module; nothing in the client or the servers uses it.
 */
package io.metrodb.protocol.fault;
