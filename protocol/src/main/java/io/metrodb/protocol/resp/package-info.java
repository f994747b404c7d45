/**
 * The Redis serialization protocol (RESP2) and inline command lines, as spoken on a mapd's port: a resumable
 * command parser and reply encoders.
 */
package io.metrodb.protocol.resp;
