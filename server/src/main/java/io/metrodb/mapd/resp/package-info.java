/**
 * Redis clients on a mapd's port: RESP2 and inline commands turned into the binary protocol's requests for the
 * same request handler, and its replies turned back into RESP, in request order.
 */
package io.metrodb.mapd.resp;
