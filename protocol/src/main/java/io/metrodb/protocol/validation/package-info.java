/**
 * Whole-frame checks by opcode: the one place that knows every message package (the protocol root knows none).
 */
package io.metrodb.protocol.validation;
