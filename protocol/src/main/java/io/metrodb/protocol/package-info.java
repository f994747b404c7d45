/**
 * MetroDB's wire format: frame layout, opcodes, status codes, flyweight codecs and the shared Netty handlers.
 */
package io.metrodb.protocol;
