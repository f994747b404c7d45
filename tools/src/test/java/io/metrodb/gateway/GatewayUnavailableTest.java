package io.metrodb.gateway;

import io.metrodb.protocol.testing.Await;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * 503 when no mapd can be reached: a gateway pointed at a port nothing listens on, and one whose cluster's mapds
 * all stop under it.
 */
class GatewayUnavailableTest
{
    private final HttpClient http =
        HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(30)).build();

    @Test
    void shouldAnswer503WhenNoMapdListens() throws Exception
    {
        final InetSocketAddress nobody = new InetSocketAddress(GatewayCluster.HOST, GatewayCluster.freePort());
        try (GatewayServer gateway = GatewayServer.start(GatewayConfig.defaults(List.of(nobody))
            .withRequestTimeoutMs(1_000)))
        {
            final HttpResponse<String> get = send(gateway, HttpRequest.newBuilder(uri(gateway, "/k")));
            assertEquals(503, get.statusCode(), get.body());
            assertTrue(get.body().startsWith("MetroUnavailableException"), get.body());
            assertEquals(1, get.body().split("\n", -1).length - 1, "one line: " + get.body());
            assertEquals(503, send(gateway, HttpRequest.newBuilder(uri(gateway, "/k"))
                .POST(HttpRequest.BodyPublishers.ofString("v"))).statusCode());
            assertEquals(503, send(gateway, HttpRequest.newBuilder(uri(gateway, "/k")).DELETE()).statusCode());

            final HttpResponse<String> health = send(gateway, HttpRequest.newBuilder(uri(gateway, "/healthz")));
            assertEquals(503, health.statusCode());
            assertEquals("unavailable: 0 of 1 mapds answer PING\n", health.body());

            final Map<String, Double> series = PrometheusText.parse(
                send(gateway, HttpRequest.newBuilder(uri(gateway, "/metrics"))).body());
            assertEquals(0.0, series.get("metrodb_mapd_up{node=\"127.0.0.1:" + nobody.getPort() + "\"}"));
            assertEquals(1.0, series.get("metrodb_gateway_errors_total{op=\"get\"}"), "a 503 is an error");
            assertEquals(1.0, series.get("metrodb_gateway_errors_total{op=\"set\"}"));
        }
    }

    @Test
    void shouldAnswer503OnceEveryMapdStopped(@TempDir final Path dir) throws Exception
    {
        try (GatewayCluster cluster = new GatewayCluster(dir);
            GatewayServer gateway = GatewayServer.start(GatewayConfig.defaults(cluster.mapdAddresses())
                .withRequestTimeoutMs(2_000)))
        {
            assertEquals(204, send(gateway, HttpRequest.newBuilder(uri(gateway, "/k"))
                .POST(HttpRequest.BodyPublishers.ofString("v"))).statusCode());
            assertEquals("v", send(gateway, HttpRequest.newBuilder(uri(gateway, "/k"))).body());
            for (int i = 0; i < GatewayCluster.SIZE; i++)
            {
                cluster.mapds[i].close();
                cluster.mapds[i] = null;
            }
            Await.until("GET answers 503", 60_000,
                () -> send(gateway, HttpRequest.newBuilder(uri(gateway, "/k"))).statusCode() == 503);
            assertEquals(503, send(gateway, HttpRequest.newBuilder(uri(gateway, "/k"))
                .PUT(HttpRequest.BodyPublishers.ofString("w"))).statusCode());
            assertEquals(503, send(gateway, HttpRequest.newBuilder(uri(gateway, "/healthz"))).statusCode());
        }
    }

    private HttpResponse<String> send(final GatewayServer gateway, final HttpRequest.Builder request)
        throws Exception
    {
        return http.send(request.timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static URI uri(final GatewayServer gateway, final String path)
    {
        return URI.create("http://127.0.0.1:" + gateway.port() + path);
    }
}
