package io.metrodb.ycsb;

import io.metrodb.client.MetroAuthException;
import io.metrodb.client.MetroClient;
import io.metrodb.client.MetroException;
import io.metrodb.client.MetroOverloadedException;
import io.metrodb.client.MetroTimeoutException;
import io.metrodb.client.MetroUnavailableException;
import io.metrodb.client.NotEnoughReplicasException;
import io.metrodb.protocol.StatusCodes;
import site.ycsb.ByteArrayByteIterator;
import site.ycsb.ByteIterator;
import site.ycsb.DB;
import site.ycsb.DBException;
import site.ycsb.Status;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.Vector;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The YCSB binding: {@code site.ycsb.Client -db io.metrodb.ycsb.MetroDbClient} (or {@code bin/metrodb-ycsb}).
 *
 * <p>A record is one MetroDB value under the key {@code <table>:<key>} (YCSB's table is {@code usertable}), its
 * fields encoded as {@link RecordCodec} says. Read returns the requested fields; insert writes the whole record
 * (SET, or SETSAFE with {@code metrodb.setsafe=true}); update reads the record, replaces the given fields and
 * writes it back: a read-modify-write that is <b>not atomic</b> (two concurrent updates of one record can lose one's
 * fields), and a record that does not exist is NOT_FOUND, not created. Delete is DEL (its SETSAFE form with
 * {@code metrodb.setsafe=true}). Scan is {@link Status#NOT_IMPLEMENTED}: MetroDB has no ordered key range to scan,
 * so workload E does not apply.
 *
 * <p>YCSB makes one instance per client thread; they share one {@link MetroClient} (pipelined connections), built
 * by the first {@link #init()} from its properties and closed by the last {@link #cleanup()}.
 *
 * <p>Failures map to YCSB statuses ({@link #statusOf}); the first failure of each status is printed to stderr with
 * its cause, the others are only counted (YCSB prints the counts per status).
 */
public final class MetroDbClient extends DB
{
    /** The mapds, {@code host:port,host:port,...}. */
    public static final String HOSTS_PROPERTY = "metrodb.hosts";
    /** The default cluster of {@code bin/metrodb up}. */
    public static final String HOSTS_DEFAULT = "127.0.0.1:7550,127.0.0.1:7551,127.0.0.1:7552";
    /** {@code true}: insert and update with SETSAFE, delete with its durable form. */
    public static final String SETSAFE_PROPERTY = "metrodb.setsafe";
    /** The cluster's auth token; without it the environment variable {@link #AUTH_TOKEN_ENV}, else none. */
    public static final String AUTH_TOKEN_PROPERTY = "metrodb.authtoken";
    /** The environment variable the CLI and gateway read the token from, too. */
    public static final String AUTH_TOKEN_ENV = "METRODB_AUTH_TOKEN";
    /** How long one request may wait for its answer, ms. */
    public static final String TIMEOUT_PROPERTY = "metrodb.timeoutms";
    /** Connections to each mapd. */
    public static final String CONNECTIONS_PROPERTY = "metrodb.connections";
    /** I/O threads of the client. */
    public static final String IO_THREADS_PROPERTY = "metrodb.iothreads";
    /** {@code true}: retry writes whose connection was lost in flight on another mapd (see MetroClient). */
    public static final String RETRY_WRITES_PROPERTY = "metrodb.retrywrites";

    /** A request that timed out; it may still be applied. YCSB counts it as a failure under this name. */
    public static final Status TIMEOUT = new Status("TIMEOUT", "The request timed out; it may still be applied.");

    private static final Object LOCK = new Object();
    private static final Map<String, Boolean> REPORTED = new ConcurrentHashMap<>();
    private static MetroClient shared;
    private static int users;

    private MetroClient client;
    private boolean setSafe;

    @Override
    public void init() throws DBException
    {
        final Properties properties = getProperties();
        setSafe = booleanProperty(properties, SETSAFE_PROPERTY, false);
        synchronized (LOCK)
        {
            if (client != null)
            {
                return;
            }
            if (shared == null)
            {
                shared = newClient(properties);
                REPORTED.clear();
                System.err.println("metrodb-ycsb: mapds " + hostList(shared) + ", writes with " +
                    (setSafe ? "SETSAFE" : "SET") + ", request timeout " +
                    longProperty(properties, TIMEOUT_PROPERTY, MetroClient.DEFAULT_REQUEST_TIMEOUT_MS) + " ms");
            }
            users++;
            client = shared;
        }
    }

    @Override
    public void cleanup()
    {
        synchronized (LOCK)
        {
            if (client == null)
            {
                return;
            }
            client = null;
            users--;
            if (users == 0)
            {
                shared.close();
                shared = null;
            }
        }
    }

    /**
     * @return the client this instance uses, null before {@link #init()} and after {@link #cleanup()}; for tests.
     */
    MetroClient client()
    {
        return client;
    }

    /**
     * @return whether a shared client is open now, for tests.
     */
    static boolean sharedClientOpen()
    {
        synchronized (LOCK)
        {
            return shared != null;
        }
    }

    private static String hostList(final MetroClient client)
    {
        final StringBuilder list = new StringBuilder();
        for (final InetSocketAddress address : client.addresses())
        {
            list.append(list.length() == 0 ? "" : ",").append(address.getHostString()).append(':')
                .append(address.getPort());
        }
        return list.toString();
    }

    private static MetroClient newClient(final Properties properties) throws DBException
    {
        final String hosts = properties.getProperty(HOSTS_PROPERTY, HOSTS_DEFAULT);
        final String[] mapds = Arrays.stream(hosts.split(","))
            .map(String::strip)
            .filter(host -> !host.isEmpty())
            .toArray(String[]::new);
        String token = properties.getProperty(AUTH_TOKEN_PROPERTY);
        if (token == null)
        {
            token = System.getenv(AUTH_TOKEN_ENV);
        }
        try
        {
            return MetroClient.builder(mapds)
                .requestTimeoutMs(longProperty(properties, TIMEOUT_PROPERTY, MetroClient.DEFAULT_REQUEST_TIMEOUT_MS))
                .connectionsPerNode((int)longProperty(properties, CONNECTIONS_PROPERTY,
                    MetroClient.DEFAULT_CONNECTIONS_PER_NODE))
                .ioThreads((int)longProperty(properties, IO_THREADS_PROPERTY, 1))
                .retryWrites(booleanProperty(properties, RETRY_WRITES_PROPERTY, false))
                .authToken(token == null || token.isEmpty() ? null : token)
                .build();
        }
        catch (final IllegalArgumentException e)
        {
            throw new DBException("metrodb: bad setting: " + e.getMessage() + " (" + HOSTS_PROPERTY + "=" + hosts + ")");
        }
    }

    private static long longProperty(final Properties properties, final String name, final long defaultValue)
        throws DBException
    {
        final String value = properties.getProperty(name);
        if (value == null)
        {
            return defaultValue;
        }
        try
        {
            final long parsed = Long.parseLong(value.strip());
            if (parsed < 1 || parsed > Integer.MAX_VALUE)
            {
                throw new DBException(name + " must be in 1.." + Integer.MAX_VALUE + ", was " + value);
            }
            return parsed;
        }
        catch (final NumberFormatException e)
        {
            throw new DBException(name + " must be a number, was " + value);
        }
    }

    private static boolean booleanProperty(final Properties properties, final String name, final boolean defaultValue)
        throws DBException
    {
        final String value = properties.getProperty(name);
        if (value == null)
        {
            return defaultValue;
        }
        switch (value.strip().toLowerCase(Locale.ROOT))
        {
            case "true":
                return true;
            case "false":
                return false;
            default:
                throw new DBException(name + " must be true or false, was " + value);
        }
    }

    @Override
    public Status read(final String table, final String key, final Set<String> fields,
        final Map<String, ByteIterator> result)
    {
        try
        {
            final byte[] record = client.get(key(table, key));
            if (record == null)
            {
                return Status.NOT_FOUND;
            }
            for (final Map.Entry<String, byte[]> field : RecordCodec.decode(record, fields).entrySet())
            {
                result.put(field.getKey(), new ByteArrayByteIterator(field.getValue()));
            }
            return Status.OK;
        }
        catch (final RuntimeException e)
        {
            return failed("read", table, key, e);
        }
    }

    /**
     * MetroDB keeps no order among keys, so there is no range to scan: workload E does not apply.
     *
     * @return {@link Status#NOT_IMPLEMENTED}.
     */
    @Override
    public Status scan(final String table, final String startKey, final int recordCount, final Set<String> fields,
        final Vector<HashMap<String, ByteIterator>> result)
    {
        return Status.NOT_IMPLEMENTED;
    }

    /**
     * Read-modify-write, not atomic: see the class comment.
     */
    @Override
    public Status update(final String table, final String key, final Map<String, ByteIterator> values)
    {
        try
        {
            final byte[] recordKey = key(table, key);
            final byte[] record = client.get(recordKey);
            if (record == null)
            {
                return Status.NOT_FOUND;
            }
            final Map<String, byte[]> fields = RecordCodec.decode(record, null);
            for (final Map.Entry<String, ByteIterator> value : values.entrySet())
            {
                fields.put(value.getKey(), value.getValue().toArray());
            }
            write(recordKey, RecordCodec.encode(fields));
            return Status.OK;
        }
        catch (final RuntimeException e)
        {
            return failed("update", table, key, e);
        }
    }

    @Override
    public Status insert(final String table, final String key, final Map<String, ByteIterator> values)
    {
        try
        {
            final Map<String, byte[]> fields = new LinkedHashMap<>(values.size() * 4 / 3 + 1);
            for (final Map.Entry<String, ByteIterator> value : values.entrySet())
            {
                fields.put(value.getKey(), value.getValue().toArray());
            }
            write(key(table, key), RecordCodec.encode(fields));
            return Status.OK;
        }
        catch (final RuntimeException e)
        {
            return failed("insert", table, key, e);
        }
    }

    @Override
    public Status delete(final String table, final String key)
    {
        try
        {
            final byte[] recordKey = key(table, key);
            final boolean deleted = setSafe ? client.deleteSafe(recordKey) : client.delete(recordKey);
            return deleted ? Status.OK : Status.NOT_FOUND;
        }
        catch (final RuntimeException e)
        {
            return failed("delete", table, key, e);
        }
    }

    private void write(final byte[] key, final byte[] record)
    {
        if (setSafe)
        {
            client.setSafe(key, record);
        }
        else
        {
            client.set(key, record);
        }
    }

    /**
     * @return the MetroDB key of a record: {@code <table>:<key>} in UTF-8.
     */
    static byte[] key(final String table, final String key)
    {
        return (table + ":" + key).getBytes(StandardCharsets.UTF_8);
    }

    /**
     * @param failure what an SDK call or the record decoding threw.
     * @return the YCSB status it is reported as.
     */
    static Status statusOf(final RuntimeException failure)
    {
        if (failure instanceof RecordCodec.RecordFormatException)
        {
            return Status.UNEXPECTED_STATE;
        }
        if (failure instanceof IllegalArgumentException)
        {
            return Status.BAD_REQUEST;
        }
        if (failure instanceof MetroTimeoutException)
        {
            return TIMEOUT;
        }
        if (failure instanceof MetroAuthException)
        {
            return Status.FORBIDDEN;
        }
        if (failure instanceof MetroUnavailableException || failure instanceof NotEnoughReplicasException ||
            failure instanceof MetroOverloadedException)
        {
            return Status.SERVICE_UNAVAILABLE;
        }
        if (failure instanceof MetroException)
        {
            return statusOfCode(((MetroException)failure).status());
        }
        return Status.ERROR;
    }

    private static Status statusOfCode(final short code)
    {
        switch (code)
        {
            case StatusCodes.BAD_REQUEST:
            case StatusCodes.INVALID_KEY:
            case StatusCodes.VALUE_TOO_LARGE:
                return Status.BAD_REQUEST;
            case StatusCodes.OVERLOADED:
            case StatusCodes.CATCHING_UP:
            case StatusCodes.SHUTTING_DOWN:
            case StatusCodes.UNAVAILABLE:
            case StatusCodes.NOT_ENOUGH_REPLICAS:
            case StatusCodes.REPLICAS_UNREADABLE:
                return Status.SERVICE_UNAVAILABLE;
            case StatusCodes.TIMEOUT:
                return TIMEOUT;
            case StatusCodes.AUTH_REQUIRED:
            case StatusCodes.AUTH_FAILED:
                return Status.FORBIDDEN;
            default:
                return Status.ERROR;
        }
    }

    private static Status failed(final String operation, final String table, final String key,
        final RuntimeException failure)
    {
        final Status status = statusOf(failure);
        if (REPORTED.putIfAbsent(status.getName(), Boolean.TRUE) == null)
        {
            System.err.println("metrodb-ycsb: " + operation + " " + table + ":" + key + " failed with " +
                status.getName() + ": " + failure + " (further " + status.getName() +
                " failures are only counted)");
        }
        return status;
    }
}
