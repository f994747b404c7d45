/**
 * The tools jar's entry point ({@code metrodb-tools.jar}): user-facing commands built on the client SDK.
 */
package io.metrodb.tools;
