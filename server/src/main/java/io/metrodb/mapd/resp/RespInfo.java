package io.metrodb.mapd.resp;

import io.metrodb.protocol.resp.RespCommand;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Redis's INFO, made from the mapd's own INFO text ({@code name:value} lines): the server, clients, stats and
 * keyspace sections Redis tools read, then every mapd line in a {@code metrodb} section. Not on the hot path.
 */
final class RespInfo
{
    static final int SERVER = 1;
    static final int CLIENTS = 1 << 1;
    static final int STATS = 1 << 2;
    static final int KEYSPACE = 1 << 3;
    static final int METRODB = 1 << 4;
    static final int ALL = SERVER | CLIENTS | STATS | KEYSPACE | METRODB;
    /** Not a section: DBSIZE, answered from the same text. */
    static final int DBSIZE = 1 << 30;

    /** What the server section claims, so clients that gate features on a version take the RESP2 paths. */
    static final String REDIS_VERSION = "7.0.0";

    private RespInfo()
    {
    }

    /**
     * @return the sections named by arguments {@code 1..} of INFO (none: all of them); 0 when none is known.
     */
    static int sections(final RespCommand command)
    {
        if (command.argCount() == 1)
        {
            return ALL;
        }
        int sections = 0;
        for (int i = 1; i < command.argCount(); i++)
        {
            final String name = new String(command.argBytes(i), java.nio.charset.StandardCharsets.US_ASCII)
                .toLowerCase(java.util.Locale.ROOT);
            sections |= switch (name)
            {
                case "server" -> SERVER;
                case "clients" -> CLIENTS;
                case "stats" -> STATS;
                case "keyspace" -> KEYSPACE;
                case "metrodb" -> METRODB;
                case "all", "everything", "default" -> ALL;
                default -> 0;
            };
        }
        return sections;
    }

    static Map<String, String> parse(final String text)
    {
        final Map<String, String> values = new LinkedHashMap<>();
        for (final String line : text.split("\n"))
        {
            final int colon = line.indexOf(':');
            if (colon > 0)
            {
                values.put(line.substring(0, colon), line.substring(colon + 1).trim());
            }
        }
        return values;
    }

    static long keys(final Map<String, String> values)
    {
        return number(values, "keys");
    }

    /**
     * @param sections the bits asked for.
     * @param text     the mapd's INFO text.
     * @param port     the port the client is connected to.
     */
    static String render(final int sections, final String text, final RespStats stats, final int port)
    {
        final Map<String, String> values = parse(text);
        final StringBuilder out = new StringBuilder(2048);
        if ((sections & SERVER) != 0)
        {
            out.append("# Server\r\n")
                .append("redis_version:").append(REDIS_VERSION).append("\r\n")
                .append("redis_mode:standalone\r\n")
                .append("server_name:metrodb\r\n")
                .append("metrodb_role:mapd\r\n")
                .append("metrodb_node_id:").append(values.getOrDefault("node_id", "0")).append("\r\n")
                .append("arch_bits:64\r\n")
                .append("process_id:").append(ProcessHandle.current().pid()).append("\r\n")
                .append("tcp_port:").append(port).append("\r\n")
                .append("uptime_in_seconds:").append((System.nanoTime() - stats.startNs) / 1_000_000_000L)
                .append("\r\n")
                .append("\r\n");
        }
        if ((sections & CLIENTS) != 0)
        {
            out.append("# Clients\r\n")
                .append("connected_clients:").append(stats.connectedClients).append("\r\n")
                .append("\r\n");
        }
        if ((sections & STATS) != 0)
        {
            final long gets = number(values, "gets");
            final long misses = number(values, "gets_not_found");
            out.append("# Stats\r\n")
                .append("total_connections_received:").append(stats.connectionsReceived).append("\r\n")
                .append("total_commands_processed:").append(stats.commandsProcessed).append("\r\n")
                .append("keyspace_hits:").append(Math.max(0, gets - misses)).append("\r\n")
                .append("keyspace_misses:").append(misses).append("\r\n")
                .append("resp_protocol_errors:").append(stats.protocolErrors).append("\r\n")
                .append("\r\n");
        }
        if ((sections & KEYSPACE) != 0)
        {
            out.append("# Keyspace\r\n");
            final long keys = keys(values);
            if (keys > 0)
            {
                out.append("db0:keys=").append(keys).append(",expires=0,avg_ttl=0\r\n");
            }
            out.append("\r\n");
        }
        if ((sections & METRODB) != 0)
        {
            out.append("# MetroDB\r\n");
            values.forEach((name, value) -> out.append(name).append(':').append(value).append("\r\n"));
            out.append("\r\n");
        }
        // Redis ends the text with the blank line's CR LF trimmed to one.
        if (out.length() >= 2)
        {
            out.setLength(out.length() - 2);
        }
        return out.toString();
    }

    private static long number(final Map<String, String> values, final String name)
    {
        try
        {
            return Long.parseLong(values.getOrDefault(name, "0"));
        }
        catch (final NumberFormatException e)
        {
            return 0;
        }
    }
}
