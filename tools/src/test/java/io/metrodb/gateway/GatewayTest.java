package io.metrodb.gateway;

import io.metrodb.client.MetroClient;
import io.metrodb.protocol.testing.Await;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The REST gateway against a real cluster (three logds, three mapds, mond), through {@link HttpClient} and a raw
 * socket; what it stored is checked through the SDK.
 */
class GatewayTest
{
    @TempDir
    static Path dir;

    private static GatewayCluster cluster;
    private static GatewayServer gateway;
    private static MetroClient sdk;
    private static HttpClient http;

    @BeforeAll
    static void start() throws Exception
    {
        cluster = new GatewayCluster(dir);
        gateway = GatewayServer.start(GatewayConfig.defaults(cluster.mapdAddresses())
            .withMond(cluster.mondAddress())
            .withMaxValueLength(GatewayCluster.MAX_VALUE));
        sdk = MetroClient.builder(cluster.mapdAddresses()).requestTimeoutMs(10_000).build();
        http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(30))
            .build();
    }

    @AfterAll
    static void stop()
    {
        if (sdk != null)
        {
            sdk.close();
        }
        if (gateway != null)
        {
            gateway.close();
        }
        if (cluster != null)
        {
            cluster.close();
        }
    }

    @Test
    void shouldRoundTripTenMebibytesOfRandomBinary() throws Exception
    {
        final long seed = Long.getLong("gateway.seed", System.nanoTime());
        final byte[] value = new byte[10 << 20];
        new Random(seed).nextBytes(value);
        final String hash = sha256(value);

        final HttpResponse<String> put = send(HttpRequest.newBuilder(uri("/big%20one"))
            .POST(HttpRequest.BodyPublishers.ofByteArray(value)));
        assertEquals(204, put.statusCode(), "seed " + seed + ": " + put.body());
        assertTrue(put.headers().firstValue("Metrodb-Version").isPresent(), "seed " + seed);

        final HttpResponse<byte[]> get = http.send(HttpRequest.newBuilder(uri("/big%20one")).build(),
            HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, get.statusCode(), "seed " + seed);
        assertEquals("application/octet-stream", get.headers().firstValue("Content-Type").orElse(null));
        assertEquals(Long.valueOf(value.length), get.headers().firstValueAsLong("Content-Length").orElse(-1));
        assertEquals(hash, sha256(get.body()), "seed " + seed + ": the value read back differs");
        assertEquals(hash, sha256(sdk.get(utf8("big one"))), "seed " + seed + ": the SDK reads another value");
    }

    @Test
    void shouldServeKeysWithSlashesSpacesAndNonAscii() throws Exception
    {
        assertEquals(204, send(HttpRequest.newBuilder(uri("/dir/sub/k")).PUT(body("slash"))).statusCode());
        assertEquals("slash", new String(sdk.get(utf8("dir/sub/k")), StandardCharsets.UTF_8));
        final HttpResponse<String> encoded = send(HttpRequest.newBuilder(uri("/dir%2Fsub%2Fk")));
        assertEquals(200, encoded.statusCode());
        assertEquals("slash", encoded.body(), "/a%2Fb and /a/b name the same key");

        assertEquals(204, send(HttpRequest.newBuilder(uri("/h%C3%A9llo%20w%C3%B6rld?safe=1"))
            .POST(body("safe text"))).statusCode());
        assertEquals("safe text", new String(sdk.get(utf8("héllo wörld")), StandardCharsets.UTF_8));
        assertEquals("safe text", send(HttpRequest.newBuilder(uri("/h%C3%A9llo%20w%C3%B6rld"))).body());

        final byte[] binaryKey = { 0, 1, (byte)0xFE, '/', ' ' };
        sdk.set(binaryKey, utf8("binary key"));
        assertEquals("binary key", send(HttpRequest.newBuilder(uri("/%00%01%fe%2F%20"))).body());
    }

    @Test
    void shouldAnswer404ForMissingAndDeletedKeys() throws Exception
    {
        final HttpResponse<String> missing = send(HttpRequest.newBuilder(uri("/never-written")));
        assertEquals(404, missing.statusCode());
        assertTrue(missing.body().endsWith("\n") && missing.body().indexOf('\n') == missing.body().length() - 1,
            "one-line body: " + missing.body());
        assertEquals(404, send(HttpRequest.newBuilder(uri("/never-written")).DELETE()).statusCode());

        assertEquals(204, send(HttpRequest.newBuilder(uri("/doomed")).POST(body("x"))).statusCode());
        assertEquals(204, send(HttpRequest.newBuilder(uri("/doomed")).DELETE()).statusCode());
        assertNull(sdk.get(utf8("doomed")));
        assertEquals(404, send(HttpRequest.newBuilder(uri("/doomed"))).statusCode());
    }

    @Test
    void shouldStoreAnEmptyBody() throws Exception
    {
        assertEquals(204, send(HttpRequest.newBuilder(uri("/empty")).POST(HttpRequest.BodyPublishers.noBody()))
            .statusCode());
        final HttpResponse<String> get = send(HttpRequest.newBuilder(uri("/empty")));
        assertEquals(200, get.statusCode());
        assertEquals("", get.body());
        assertEquals(0, sdk.get(utf8("empty")).length);
    }

    @Test
    void shouldAnswer405ForOtherMethods() throws Exception
    {
        final HttpResponse<String> patch = send(HttpRequest.newBuilder(uri("/k")).method("PATCH", body("x")));
        assertEquals(405, patch.statusCode(), patch.body());
        assertEquals("GET, PUT, POST, DELETE", patch.headers().firstValue("Allow").orElse(null));
        assertNull(sdk.get(utf8("k")), "a refused PATCH wrote nothing");
    }

    @Test
    void shouldAnswer400ForBadKeys() throws Exception
    {
        assertEquals(400, send(HttpRequest.newBuilder(uri("/"))).statusCode());
        assertEquals(400, send(HttpRequest.newBuilder(uri("/?safe=1")).POST(body("x"))).statusCode());
        try (RawHttp raw = new RawHttp(gateway.port()))
        {
            raw.write("GET /%zz HTTP/1.1\r\nHost: x\r\n\r\nGET /a%4 HTTP/1.1\r\nHost: x\r\n\r\n" +
                "POST /%g0 HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc" +
                "GET /" + "k".repeat(65_536) + " HTTP/1.1\r\nHost: x\r\n\r\n");
            for (int i = 0; i < 4; i++)
            {
                final RawHttp.Answer answer = raw.read();
                assertEquals(400, answer.status(), "request " + i + ": " + answer.text());
                assertTrue(answer.text().startsWith("bad key"), answer.text());
            }
            raw.write("GET /never-written-either HTTP/1.1\r\nHost: x\r\n\r\n");
            assertEquals(404, raw.read().status(), "the connection lives on after 400s");
        }
    }

    @Test
    void shouldAnswerPipelinedRequestsInOrder() throws Exception
    {
        final byte[] big = new byte[4 << 20];
        new Random(7).nextBytes(big);
        sdk.set(utf8("pipe-big"), big);
        sdk.set(utf8("pipe-small"), utf8("small"));
        try (RawHttp raw = new RawHttp(gateway.port()))
        {
            final ByteArrayOutputStream requests = new ByteArrayOutputStream();
            requests.write(utf8("GET /pipe-big HTTP/1.1\r\nHost: x\r\n\r\n" +
                "GET /pipe-missing HTTP/1.1\r\nHost: x\r\n\r\n" +
                "PUT /pipe-new HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nnew" +
                "GET /pipe-small HTTP/1.1\r\nHost: x\r\n\r\n" +
                "GET /pipe-new HTTP/1.1\r\nHost: x\r\n\r\n"));
            raw.write(requests.toByteArray());
            final RawHttp.Answer first = raw.read();
            assertEquals(200, first.status());
            assertArrayEquals(big, first.body(), "first answer is the first request's");
            assertEquals(404, raw.read().status());
            assertEquals(204, raw.read().status());
            assertEquals("small", raw.read().text());
            assertEquals("new", raw.read().text(), "a read pipelined after a write sees it");

            raw.write("GET /pipe-small HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
            final RawHttp.Answer last = raw.read();
            assertEquals("small", last.text());
            assertEquals("close", last.headers().get("connection"));
            assertTrue(raw.isClosedByServer(), "Connection: close is honoured");
        }
    }

    @Test
    void shouldMatchAModelUnderManyPipelinedReadsAndWrites() throws Exception
    {
        final long seed = Long.getLong("gateway.seed", System.nanoTime());
        final Random random = new Random(seed);
        final Map<String, String> model = new HashMap<>();
        final List<String> expected = new ArrayList<>();
        final StringBuilder requests = new StringBuilder();
        for (int i = 0; i < 300; i++)
        {
            final String key = "model-" + seed + "-" + random.nextInt(8);
            final int kind = random.nextInt(4);
            if (kind == 0)
            {
                final String value = "v" + i + "x".repeat(random.nextInt(2000));
                requests.append("PUT /").append(key).append(" HTTP/1.1\r\nHost: x\r\nContent-Length: ")
                    .append(value.length()).append("\r\n\r\n").append(value);
                model.put(key, value);
                expected.add("204 ");
            }
            else if (kind == 1)
            {
                requests.append("DELETE /").append(key).append(" HTTP/1.1\r\nHost: x\r\n\r\n");
                expected.add(model.remove(key) == null ? "404 not found\n" : "204 ");
            }
            else
            {
                requests.append("GET /").append(key).append(" HTTP/1.1\r\nHost: x\r\n\r\n");
                final String value = model.get(key);
                expected.add(value == null ? "404 not found\n" : "200 " + value);
            }
        }
        try (RawHttp raw = new RawHttp(gateway.port()))
        {
            raw.write(requests.toString());
            for (int i = 0; i < expected.size(); i++)
            {
                final RawHttp.Answer answer = raw.read();
                final String actual = answer.status() + " " + answer.text();
                assertEquals(expected.get(i), actual, "seed " + seed + ", request " + i);
            }
        }
    }

    @Test
    void shouldKeepOneConnectionAlive() throws Exception
    {
        final HttpClient own = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        final double before = metric("metrodb_gateway_connections_total");
        for (int i = 0; i < 50; i++)
        {
            assertEquals(204, own.send(HttpRequest.newBuilder(uri("/alive-" + i)).POST(body("v" + i)).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode());
            assertEquals("v" + i, own.send(HttpRequest.newBuilder(uri("/alive-" + i)).build(),
                HttpResponse.BodyHandlers.ofString()).body());
        }
        // the scrape itself is one more connection (of the shared client, which may already hold one)
        final double after = metric("metrodb_gateway_connections_total");
        assertTrue(after - before <= 2, "100 requests took " + (after - before) + " connections");
    }

    @Test
    void shouldAnswer413OverTheLimitAndKeepTheConnection() throws Exception
    {
        try (GatewayServer small = GatewayServer.start(GatewayConfig.defaults(cluster.mapdAddresses())
            .withMaxValueLength(1024)))
        {
            final URI uri = URI.create("http://127.0.0.1:" + small.port() + "/too-big");
            final HttpClient own = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            final HttpResponse<String> sized = own.send(HttpRequest.newBuilder(uri)
                .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[1025])).build(),
                HttpResponse.BodyHandlers.ofString());
            assertEquals(413, sized.statusCode(), sized.body());
            final HttpResponse<String> chunked = own.send(HttpRequest.newBuilder(uri)
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(new byte[5000]))).build(),
                HttpResponse.BodyHandlers.ofString());
            assertEquals(413, chunked.statusCode(), "chunked body over the limit: " + chunked.body());
            assertNull(sdk.get(utf8("too-big")), "nothing was written");

            final HttpResponse<String> fits = own.send(HttpRequest.newBuilder(uri)
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(new byte[1024]))).build(),
                HttpResponse.BodyHandlers.ofString());
            assertEquals(204, fits.statusCode(), "a chunked body at the limit: " + fits.body());
            assertEquals(1024, sdk.get(utf8("too-big")).length);
        }
        try (GatewayServer above = GatewayServer.start(GatewayConfig.defaults(cluster.mapdAddresses())
            .withMaxValueLength(2 * GatewayCluster.MAX_VALUE)))
        {
            final HttpResponse<String> refused = http.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + above.port() + "/too-big-3"))
                .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[GatewayCluster.MAX_VALUE + 1])).build(),
                HttpResponse.BodyHandlers.ofString());
            assertEquals(413, refused.statusCode(), "the mapds' own limit: " + refused.body());
            assertTrue(refused.body().contains("Exception"), "the mapd refused it, not the gateway: " + refused.body());
        }
        try (RawHttp raw = new RawHttp(gateway.port()))
        {
            raw.write("POST /too-big-2 HTTP/1.1\r\nHost: x\r\nContent-Length: " + (GatewayCluster.MAX_VALUE + 1) +
                "\r\nExpect: 100-continue\r\n\r\n");
            final RawHttp.Answer answer = raw.read();
            assertEquals(413, answer.status(), "refused before the body is sent: " + answer.text());
            assertTrue(raw.isClosedByServer(), "an expectation refused closes the connection");
        }
    }

    @Test
    void shouldServeHealthzClusterAndMetrics() throws Exception
    {
        final HttpResponse<String> health = send(HttpRequest.newBuilder(uri("/healthz")));
        assertEquals(200, health.statusCode(), health.body());
        assertEquals("ok: 3 of 3 mapds answer PING\n", health.body());

        Await.until("mond sees the three mapds UP", 30_000, () ->
        {
            final String view = send(HttpRequest.newBuilder(uri("/cluster"))).body();
            return view.split("\"role\":\"mapd\",\"state\":\"UP\"", -1).length - 1 == 3;
        });
        final HttpResponse<String> view = send(HttpRequest.newBuilder(uri("/cluster")));
        assertEquals("application/json", view.headers().firstValue("Content-Type").orElse(null));
        assertTrue(view.body().startsWith("{\"epoch\":"), view.body());
        for (final int port : cluster.mapdPorts)
        {
            assertTrue(view.body().contains("\"port\":" + port), "mapd " + port + " in " + view.body());
        }

        try (GatewayServer noMond = GatewayServer.start(GatewayConfig.defaults(cluster.mapdAddresses())))
        {
            final HttpResponse<String> refused = http.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + noMond.port() + "/cluster")).build(),
                HttpResponse.BodyHandlers.ofString());
            assertEquals(503, refused.statusCode());
            assertTrue(refused.body().contains("--mond"), refused.body());
        }

        sdk.set(utf8("metric-key"), utf8("v"));
        for (int i = 0; i < 5; i++)
        {
            assertEquals(200, send(HttpRequest.newBuilder(uri("/metric-key"))).statusCode());
        }
        assertEquals(405, send(HttpRequest.newBuilder(uri("/k")).method("PATCH", body("x"))).statusCode());
        final HttpResponse<String> scrape = send(HttpRequest.newBuilder(uri("/metrics")));
        assertEquals(200, scrape.statusCode());
        assertTrue(scrape.headers().firstValue("Content-Type").orElse("").startsWith("text/plain; version=0.0.4"));
        final Map<String, Double> series = PrometheusText.parse(scrape.body());
        assertTrue(series.get("metrodb_gateway_requests_total{op=\"get\"}") >= 5, scrape.body());
        assertTrue(series.get("metrodb_gateway_errors_total{op=\"other\"}") >= 1, "the 405 counts as an error");
        assertTrue(series.get("metrodb_gateway_request_duration_seconds_count{op=\"get\"}") >= 5, scrape.body());
        assertTrue(series.get("metrodb_gateway_request_duration_seconds{op=\"get\",quantile=\"0.99\"}") > 0);
        for (final int port : cluster.mapdPorts)
        {
            final String node = "{node=\"127.0.0.1:" + port + "\"}";
            assertEquals(1.0, series.get("metrodb_mapd_up" + node), scrape.body());
            assertNotNull(series.get("metrodb_mapd_keys" + node), "mapd INFO counters as gauges: " + scrape.body());
        }
    }

    private static double metric(final String series) throws Exception
    {
        final Double value = PrometheusText.parse(send(HttpRequest.newBuilder(uri("/metrics"))).body()).get(series);
        assertNotNull(value, series);
        return value;
    }

    private static HttpResponse<String> send(final HttpRequest.Builder request) throws Exception
    {
        return http.send(request.timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static URI uri(final String path)
    {
        return URI.create("http://127.0.0.1:" + gateway.port() + path);
    }

    private static HttpRequest.BodyPublisher body(final String text)
    {
        return HttpRequest.BodyPublishers.ofString(text);
    }

    private static byte[] utf8(final String text)
    {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static String sha256(final byte[] bytes) throws Exception
    {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }
}
