/**
 * Checks of a running cluster through the SDK: {@link io.metrodb.tools.check.MultiHostCheck} writes and reads while a
 * fault is injected and healed, then audits every mapd.
 */
package io.metrodb.tools.check;
