/** JMH benchmarks of the wire codec: flyweight encode/decode and the Netty frame decoder. */
package io.metrodb.bench.codec;
