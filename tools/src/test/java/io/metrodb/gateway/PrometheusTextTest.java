package io.metrodb.gateway;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The test parser must catch malformed output, or the gateway's /metrics test could not fail.
 */
class PrometheusTextTest
{
    private static final String GOOD = "# HELP a_total Things.\n" +
        "# TYPE a_total counter\n" +
        "a_total{op=\"get\"} 3\n" +
        "a_total{op=\"set\"} 4\n" +
        "# TYPE lat summary\n" +
        "lat{op=\"get\",quantile=\"0.5\"} 1.0E-4\n" +
        "lat_sum{op=\"get\"} 0.5\n" +
        "lat_count{op=\"get\"} 3\n" +
        "g{node=\"a\\\"b\"} -Inf\n";

    @Test
    void shouldReadAValidExposition()
    {
        final Map<String, Double> series = PrometheusText.parse(GOOD);
        assertEquals(3.0, series.get("a_total{op=\"get\"}"));
        assertEquals(1.0E-4, series.get("lat{op=\"get\",quantile=\"0.5\"}"));
        assertEquals(3.0, series.get("lat_count{op=\"get\"}"));
        assertEquals(Double.NEGATIVE_INFINITY, series.get("g{node=\"a\\\"b\"}"));
    }

    @Test
    void shouldRejectMalformedExpositions()
    {
        assertThrows(IllegalArgumentException.class, () -> PrometheusText.parse("a 1"), "no final newline");
        assertThrows(IllegalArgumentException.class, () -> PrometheusText.parse("1a 1\n"), "bad name");
        assertThrows(IllegalArgumentException.class, () -> PrometheusText.parse("a{op=get} 1\n"), "unquoted");
        assertThrows(IllegalArgumentException.class, () -> PrometheusText.parse("a{op=\"x\\q\"} 1\n"), "escape");
        assertThrows(IllegalArgumentException.class, () -> PrometheusText.parse("a{op=\"x\" 1\n"), "unterminated");
        assertThrows(IllegalArgumentException.class, () -> PrometheusText.parse("a one\n"), "value");
        assertThrows(IllegalArgumentException.class, () -> PrometheusText.parse("a 1 2 3\n"), "extra fields");
        assertThrows(IllegalArgumentException.class, () -> PrometheusText.parse("a  1\n"), "two spaces");
        assertThrows(IllegalArgumentException.class, () -> PrometheusText.parse("a 1\na 2\n"), "series twice");
        assertThrows(IllegalArgumentException.class, () -> PrometheusText.parse("a 1\nb 1\na{x=\"1\"} 2\n"),
            "not contiguous");
        assertThrows(IllegalArgumentException.class, () -> PrometheusText.parse("a 1\n# TYPE a gauge\n"),
            "TYPE after samples");
        assertThrows(IllegalArgumentException.class, () -> PrometheusText.parse("# TYPE a meter\na 1\n"), "type");
        assertThrows(IllegalArgumentException.class, () -> PrometheusText.parse("a{x=\"1\",x=\"2\"} 1\n"),
            "label twice");
    }
}
