package io.metrodb.protocol;

import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AddressesTest
{
    @Test
    void shouldParseACommaListSkippingBlanks()
    {
        final List<InetSocketAddress> addresses = Addresses.parse(" 127.0.0.1:7550, ,db-2:7551 ", "--mapds");

        assertEquals(2, addresses.size());
        assertEquals("127.0.0.1", addresses.get(0).getHostString());
        assertEquals(7550, addresses.get(0).getPort());
        assertEquals("db-2", addresses.get(1).getHostString());
        assertEquals(7551, addresses.get(1).getPort());
        assertTrue(addresses.get(1).isUnresolved(), "the parser resolves nothing");
    }

    @Test
    void shouldNameTheOptionAndTheAddressInEachError()
    {
        assertError("--logds: 'nohost' is not host:port", "nohost");
        assertError("--logds: ':7558' is not host:port", ":7558");
        assertError("--logds: 'h:' is not host:port", "h:");
        assertError("--logds: 'h:x1' has no numeric port", "h:x1");
        assertError("--logds: port of 'h:0' must be in 1..65535", "h:0");
        assertError("--logds: port of 'h:65536' must be in 1..65535", "h:65536");
        assertError("--logds lists no address", " , ");
    }

    @Test
    void shouldParseOneAddressTheSameWay()
    {
        final InetSocketAddress address = Addresses.parseOne(" localhost:7080 ", "gateway");

        assertEquals("localhost", address.getHostString());
        assertEquals(7080, address.getPort());
        assertEquals("gateway: 'localhost' is not host:port",
            assertThrows(IllegalArgumentException.class, () -> Addresses.parseOne("localhost", "gateway")).getMessage());
    }

    private static void assertError(final String expected, final String list)
    {
        assertEquals(expected,
            assertThrows(IllegalArgumentException.class, () -> Addresses.parse(list, "--logds")).getMessage());
    }
}
