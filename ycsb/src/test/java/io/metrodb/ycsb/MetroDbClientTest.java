package io.metrodb.ycsb;

import io.metrodb.client.MetroAuthException;
import io.metrodb.client.MetroClient;
import io.metrodb.client.MetroException;
import io.metrodb.client.MetroOverloadedException;
import io.metrodb.client.MetroProtocolException;
import io.metrodb.client.MetroTimeoutException;
import io.metrodb.client.MetroUnavailableException;
import io.metrodb.client.NotEnoughReplicasException;
import io.metrodb.protocol.StatusCodes;
import io.metrodb.testing.Ports;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import site.ycsb.ByteIterator;
import site.ycsb.DBException;
import site.ycsb.Status;
import site.ycsb.StringByteIterator;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.Vector;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The binding without a cluster: how SDK failures map to YCSB statuses, its settings, the shared client's
 * lifetime, and what it answers when no mapd is reachable.
 */
class MetroDbClientTest
{
    @AfterEach
    void noClientLeftOpen()
    {
        assertFalse(MetroDbClient.sharedClientOpen(), "a test left the shared client open");
    }

    @Test
    void shouldMapSdkFailuresToYcsbStatuses()
    {
        assertEquals(MetroDbClient.TIMEOUT, MetroDbClient.statusOf(
            new MetroTimeoutException(StatusCodes.TIMEOUT, "timed out")));
        assertEquals(Status.SERVICE_UNAVAILABLE, MetroDbClient.statusOf(
            new MetroUnavailableException(StatusCodes.UNAVAILABLE, "no mapd")));
        assertEquals(Status.SERVICE_UNAVAILABLE, MetroDbClient.statusOf(
            new NotEnoughReplicasException(StatusCodes.NOT_ENOUGH_REPLICAS, "1 of 2")));
        assertEquals(Status.SERVICE_UNAVAILABLE, MetroDbClient.statusOf(
            new MetroOverloadedException(StatusCodes.OVERLOADED, "full")));
        assertEquals(Status.FORBIDDEN, MetroDbClient.statusOf(
            new MetroAuthException(StatusCodes.AUTH_FAILED, "wrong token")));
        // What the SDK raises as a MetroProtocolException, by the reply's status.
        assertEquals(Status.SERVICE_UNAVAILABLE, MetroDbClient.statusOf(
            new MetroProtocolException(StatusCodes.CATCHING_UP, "catching up")));
        assertEquals(Status.SERVICE_UNAVAILABLE, MetroDbClient.statusOf(
            new MetroProtocolException(StatusCodes.REPLICAS_UNREADABLE, "unreadable")));
        assertEquals(Status.BAD_REQUEST, MetroDbClient.statusOf(
            new MetroProtocolException(StatusCodes.VALUE_TOO_LARGE, "too large")));
        assertEquals(Status.BAD_REQUEST, MetroDbClient.statusOf(
            new MetroProtocolException(StatusCodes.INVALID_KEY, "bad key")));
        assertEquals(Status.ERROR, MetroDbClient.statusOf(
            new MetroProtocolException(StatusCodes.INTERNAL_ERROR, "bug")));
        assertEquals(Status.ERROR, MetroDbClient.statusOf(new MetroException((short)0, "other")));
        // Not the SDK's: a value that is not a record, a key the SDK refuses, anything else.
        assertEquals(Status.UNEXPECTED_STATE, MetroDbClient.statusOf(
            new RecordCodec.RecordFormatException("damaged")));
        assertEquals(Status.BAD_REQUEST, MetroDbClient.statusOf(
            new IllegalArgumentException("key of 70000 bytes")));
        assertEquals(Status.ERROR, MetroDbClient.statusOf(new IllegalStateException("?")));
        assertFalse(MetroDbClient.TIMEOUT.isOk(), "YCSB must count a timeout as a failure");
    }

    @Test
    void shouldKeyRecordsByTableAndKey()
    {
        assertArrayEquals("usertable:user1".getBytes(StandardCharsets.UTF_8),
            MetroDbClient.key("usertable", "user1"));
    }

    @Test
    void shouldRefuseBadSettingsInInit()
    {
        assertInitFails(MetroDbClient.SETSAFE_PROPERTY, "yes", "metrodb.setsafe must be true or false, was yes");
        assertInitFails(MetroDbClient.TIMEOUT_PROPERTY, "soon", "metrodb.timeoutms must be a number, was soon");
        assertInitFails(MetroDbClient.CONNECTIONS_PROPERTY, "0",
            "metrodb.connections must be in 1..2147483647, was 0");
        assertInitFails(MetroDbClient.IO_THREADS_PROPERTY, "65", "I/O threads must be in 1..64, was 65");
        assertInitFails(MetroDbClient.HOSTS_PROPERTY, "localhost", "mapd address");
        assertInitFails(MetroDbClient.HOSTS_PROPERTY, " , ", "at least one mapd address is needed");
    }

    @Test
    void shouldShareOneClientAndCloseItWithTheLastCleanup() throws Exception
    {
        final Properties properties = unreachable(2_000);
        final MetroDbClient first = db(properties);
        final MetroDbClient second = db(properties);
        first.init();
        second.init();
        second.init();
        assertTrue(MetroDbClient.sharedClientOpen());
        assertNotNull(first.client());
        final MetroClient shared = first.client();
        assertSame(shared, second.client(), "one client for every YCSB thread");
        first.cleanup();
        assertNull(first.client());
        first.cleanup();
        assertTrue(MetroDbClient.sharedClientOpen(), "the second instance still uses it; a repeated cleanup " +
            "of the first must not count twice");
        second.cleanup();
        assertFalse(MetroDbClient.sharedClientOpen(), "a repeated init of the second must not count twice either");
        final MetroUnavailableException closed =
            assertThrows(MetroUnavailableException.class, () -> shared.get(new byte[] {1}));
        assertTrue(closed.getMessage().contains("client is closed"), closed.getMessage());

        final MetroDbClient third = db(properties);
        third.init();
        assertTrue(MetroDbClient.sharedClientOpen(), "a new run gets a new client");
        assertNotSame(shared, third.client());
        third.cleanup();
    }

    @Test
    void shouldAnswerServiceUnavailableWhenNoMapdIsReachable() throws Exception
    {
        final MetroDbClient db = db(unreachable(300));
        db.init();
        try
        {
            final Map<String, ByteIterator> values = new HashMap<>();
            values.put("field0", new StringByteIterator("v"));
            assertEquals(Status.SERVICE_UNAVAILABLE, db.insert("usertable", "user1", values));
            assertEquals(Status.SERVICE_UNAVAILABLE, db.read("usertable", "user1", null, new HashMap<>()));
            assertEquals(Status.SERVICE_UNAVAILABLE, db.update("usertable", "user1", values));
            assertEquals(Status.SERVICE_UNAVAILABLE, db.delete("usertable", "user1"));
            assertEquals(Status.NOT_IMPLEMENTED, db.scan("usertable", "user1", 10, null, new Vector<>()),
                "scan needs no mapd: it is never implemented");
        }
        finally
        {
            db.cleanup();
        }
    }

    private static Properties unreachable(final long timeoutMs) throws Exception
    {
        final Properties properties = new Properties();
        properties.setProperty(MetroDbClient.HOSTS_PROPERTY, Ports.HOST + ":" + Ports.unused(1)[0]);
        properties.setProperty(MetroDbClient.TIMEOUT_PROPERTY, Long.toString(timeoutMs));
        return properties;
    }

    private static MetroDbClient db(final Properties properties)
    {
        final MetroDbClient db = new MetroDbClient();
        db.setProperties(properties);
        return db;
    }

    private static void assertInitFails(final String property, final String value, final String message)
    {
        final Properties properties = new Properties();
        properties.setProperty(property, value);
        final DBException failure = assertThrows(DBException.class, () -> db(properties).init(),
            property + "=" + value);
        assertTrue(failure.getMessage().contains(message), property + "=" + value + ": " + failure.getMessage());
        assertFalse(MetroDbClient.sharedClientOpen(), property + "=" + value + " left a client open");
    }
}
