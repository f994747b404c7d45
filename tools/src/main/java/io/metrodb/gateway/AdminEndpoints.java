package io.metrodb.gateway;

import io.metrodb.protocol.Roles;
import io.metrodb.protocol.mond.ClusterView;
import io.netty.buffer.ByteBuf;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * {@code GET /cluster}, {@code /healthz} and {@code /metrics}: each asks the daemons over a {@link NodeProbe} on the
 * gateway's admin threads (never on an event loop) and completes with the answer to send.
 */
final class AdminEndpoints implements AutoCloseable
{
    /** What to answer: a status, a content type and a body (text or JSON). */
    record Answer(int status, String contentType, String body)
    {
    }

    static final String TEXT = "text/plain; charset=utf-8";
    static final String JSON = "application/json";
    static final String PROMETHEUS = "text/plain; version=0.0.4; charset=utf-8";

    private final List<InetSocketAddress> mapds;
    private final InetSocketAddress mond;
    private final String token;
    private final int timeoutMs;
    private final GatewayMetrics metrics;
    private final ExecutorService executor;

    /**
     * @param mapds     the mapds (probed by {@code /healthz}, scraped by {@code /metrics}).
     * @param mond      mond, or null when the gateway was not told one.
     * @param token     the cluster's auth token, or null.
     * @param timeoutMs bound on each daemon's answer.
     * @param metrics   the gateway's own metrics.
     */
    AdminEndpoints(
        final List<InetSocketAddress> mapds,
        final InetSocketAddress mond,
        final String token,
        final int timeoutMs,
        final GatewayMetrics metrics)
    {
        this.mapds = List.copyOf(mapds);
        this.mond = mond;
        this.token = token;
        this.timeoutMs = timeoutMs;
        this.metrics = metrics;
        this.executor = Executors.newFixedThreadPool(Math.min(8, mapds.size() + 1), runnable ->
        {
            final Thread thread = new Thread(runnable, "metrodb-gateway-admin");
            thread.setDaemon(true);
            return thread;
        });
    }

    /**
     * @return mond's view as JSON, or 503 when there is no mond or it does not answer.
     */
    CompletableFuture<Answer> cluster()
    {
        if (mond == null)
        {
            return CompletableFuture.completedFuture(
                new Answer(503, TEXT, "no mond configured: start the gateway with --mond host:port\n"));
        }
        return CompletableFuture.supplyAsync(() ->
        {
            try (NodeProbe probe = NodeProbe.open(mond, token, timeoutMs))
            {
                final ByteBuf view = probe.clusterView();
                try
                {
                    return new Answer(200, JSON, toJson(view));
                }
                finally
                {
                    view.release();
                }
            }
            catch (final IOException e)
            {
                return new Answer(503, TEXT, "mond " + address(mond) + " did not answer: " + oneLine(e) + "\n");
            }
        }, executor);
    }

    /**
     * @return 200 when at least one mapd answers PING, else 503; the body says how many answered.
     */
    CompletableFuture<Answer> healthz()
    {
        final List<CompletableFuture<Boolean>> pings = new ArrayList<>(mapds.size());
        for (final InetSocketAddress mapd : mapds)
        {
            pings.add(CompletableFuture.supplyAsync(() -> ping(mapd), executor));
        }
        return CompletableFuture.allOf(pings.toArray(new CompletableFuture<?>[0])).thenApply(ignored ->
        {
            int up = 0;
            for (final CompletableFuture<Boolean> ping : pings)
            {
                up += ping.join() ? 1 : 0;
            }
            final String body = up + " of " + mapds.size() + " mapds answer PING\n";
            return up > 0 ? new Answer(200, TEXT, "ok: " + body) : new Answer(503, TEXT, "unavailable: " + body);
        });
    }

    /**
     * @return the gateway's own metrics and each mapd's INFO counters, in the Prometheus text format.
     */
    CompletableFuture<Answer> metrics()
    {
        final List<CompletableFuture<String>> infos = new ArrayList<>(mapds.size());
        for (final InetSocketAddress mapd : mapds)
        {
            infos.add(CompletableFuture.supplyAsync(() -> info(mapd), executor));
        }
        return CompletableFuture.allOf(infos.toArray(new CompletableFuture<?>[0])).thenApplyAsync(ignored ->
        {
            final StringBuilder out = new StringBuilder(8192);
            metrics.appendTo(out);
            final Map<String, List<String>> families = new TreeMap<>();
            out.append("# HELP metrodb_mapd_up Whether the mapd answered INFO during this scrape.\n");
            out.append("# TYPE metrodb_mapd_up gauge\n");
            for (int i = 0; i < mapds.size(); i++)
            {
                final String node = address(mapds.get(i));
                final String info = infos.get(i).join();
                out.append("metrodb_mapd_up{node=\"").append(node).append("\"} ").append(info == null ? 0 : 1)
                    .append('\n');
                if (info != null)
                {
                    addInfo(families, node, info);
                }
            }
            families.forEach((name, samples) ->
            {
                out.append("# TYPE ").append(name).append(" gauge\n");
                samples.forEach(out::append);
            });
            return new Answer(200, PROMETHEUS, out.toString());
        }, executor);
    }

    private boolean ping(final InetSocketAddress mapd)
    {
        try (NodeProbe probe = NodeProbe.open(mapd, token, timeoutMs))
        {
            return probe.ping();
        }
        catch (final IOException e)
        {
            return false;
        }
    }

    private String info(final InetSocketAddress mapd)
    {
        try (NodeProbe probe = NodeProbe.open(mapd, token, timeoutMs))
        {
            return probe.info();
        }
        catch (final IOException e)
        {
            return null;
        }
    }

    /**
     * Adds each numeric {@code name:value} line of a mapd's INFO as a sample of gauge {@code metrodb_mapd_<name>};
     * other lines (section headers, text values, latency summaries) are left out, as is a name seen twice.
     */
    static void addInfo(final Map<String, List<String>> families, final String node, final String info)
    {
        final Set<String> seen = new HashSet<>();
        for (final String line : info.split("\n"))
        {
            final int colon = line.indexOf(':');
            if (colon <= 0 || line.startsWith("#"))
            {
                continue;
            }
            final String value = line.substring(colon + 1).trim();
            final double number;
            try
            {
                number = Double.parseDouble(value);
            }
            catch (final NumberFormatException e)
            {
                continue;
            }
            if (Double.isNaN(number) || Double.isInfinite(number))
            {
                continue;
            }
            final String name = "metrodb_mapd_" + metricName(line.substring(0, colon).trim());
            if (!seen.add(name))
            {
                continue;
            }
            final StringBuilder sample = new StringBuilder(name.length() + node.length() + 32);
            sample.append(name).append("{node=\"").append(node).append("\"} ");
            GatewayMetrics.appendValue(sample, number);
            sample.append('\n');
            families.computeIfAbsent(name, n -> new ArrayList<>()).add(sample.toString());
        }
    }

    /**
     * @return {@code name} with every character outside {@code [a-zA-Z0-9_]} replaced by {@code _}, lower case.
     */
    static String metricName(final String name)
    {
        final StringBuilder out = new StringBuilder(name.length());
        for (int i = 0; i < name.length(); i++)
        {
            final char c = name.charAt(i);
            out.append(c < 128 && (Character.isLetterOrDigit(c) || c == '_') ? c : '_');
        }
        return out.toString().toLowerCase(Locale.ROOT);
    }

    /**
     * @param view a CLUSTER_VIEW response frame at index 0.
     * @return the view as one JSON object.
     */
    static String toJson(final ByteBuf view)
    {
        final StringBuilder out = new StringBuilder(512);
        out.append("{\"epoch\":").append(ClusterView.epoch(view, 0))
            .append(",\"keys_checked\":").append(ClusterView.keysChecked(view, 0))
            .append(",\"bad_replicas\":").append(ClusterView.badReplicas(view, 0))
            .append(",\"repairs_done\":").append(ClusterView.repairsDone(view, 0))
            .append(",\"repairs_pending\":").append(ClusterView.repairsPending(view, 0))
            .append(",\"nodes\":[");
        int at = ClusterView.firstNodeIndex(0);
        for (int i = 0; i < ClusterView.nodeCount(view, 0); i++)
        {
            if (i > 0)
            {
                out.append(',');
            }
            final String role = Roles.name(ClusterView.nodeRole(view, at));
            out.append("{\"id\":").append(ClusterView.nodeId(view, at))
                .append(",\"role\":\"").append(role == null ? "unknown" : role)
                .append("\",\"state\":\"").append(stateName(ClusterView.nodeState(view, at)))
                .append("\",\"host\":\"");
            appendJsonString(out, ClusterView.nodeHost(view, at));
            out.append("\",\"port\":").append(ClusterView.nodePort(view, at))
                .append(",\"since_ms\":").append(ClusterView.nodeSinceMs(view, at))
                .append(",\"last_rtt_us\":").append(ClusterView.nodeLastRttUs(view, at))
                .append(",\"data_bytes\":").append(ClusterView.nodeDataBytes(view, at))
                .append('}');
            at = ClusterView.nextNodeIndex(view, at);
        }
        return out.append("]}\n").toString();
    }

    private static String stateName(final int state)
    {
        switch (state)
        {
            case ClusterView.NODE_UP: return "UP";
            case ClusterView.NODE_SUSPECT: return "SUSPECT";
            case ClusterView.NODE_DOWN: return "DOWN";
            default: return "UNKNOWN";
        }
    }

    private static void appendJsonString(final StringBuilder out, final String text)
    {
        for (int i = 0; i < text.length(); i++)
        {
            final char c = text.charAt(i);
            if (c == '"' || c == '\\')
            {
                out.append('\\').append(c);
            }
            else if (c < 0x20)
            {
                out.append(String.format("\\u%04x", (int)c));
            }
            else
            {
                out.append(c);
            }
        }
    }

    static String address(final InetSocketAddress address)
    {
        return address.getHostString() + ":" + address.getPort();
    }

    static String oneLine(final Throwable e)
    {
        final String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return message.replace('\n', ' ').replace('\r', ' ');
    }

    @Override
    public void close()
    {
        executor.shutdownNow();
        try
        {
            executor.awaitTermination(5, TimeUnit.SECONDS);
        }
        catch (final InterruptedException e)
        {
            Thread.currentThread().interrupt();
        }
    }
}
