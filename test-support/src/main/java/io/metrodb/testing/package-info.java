/**
 * What the modules' tests share: {@link io.metrodb.testing.Await}, the blocking frame client, child JVMs, the
 * fake-server base and port handling; depends on the protocol module only.
 */
package io.metrodb.testing;
