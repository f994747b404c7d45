/**
 * The REST gateway ({@code metrodb gateway}): an HTTP/1.1 front end on Netty that serves keys as URL paths and is
 * a client of the mapds through the SDK.
 */
package io.metrodb.gateway;
