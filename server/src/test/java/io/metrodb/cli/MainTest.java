package io.metrodb.cli;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The system properties {@link Main} sets before a daemon starts.
 */
class MainTest
{
    private String saved;

    @BeforeEach
    void save()
    {
        saved = System.getProperty(Main.NETTY_JFR_PROPERTY);
    }

    @AfterEach
    void restore()
    {
        if (saved == null)
        {
            System.clearProperty(Main.NETTY_JFR_PROPERTY);
        }
        else
        {
            System.setProperty(Main.NETTY_JFR_PROPERTY, saved);
        }
    }

    @Test
    void shouldTurnNettyJfrEventsOffByDefault()
    {
        System.clearProperty(Main.NETTY_JFR_PROPERTY);
        Main.defaultSystemProperties();
        assertEquals("false", System.getProperty(Main.NETTY_JFR_PROPERTY));
    }

    @Test
    void shouldKeepNettyJfrSettingGivenOnTheCommandLine()
    {
        System.setProperty(Main.NETTY_JFR_PROPERTY, "true");
        Main.defaultSystemProperties();
        assertEquals("true", System.getProperty(Main.NETTY_JFR_PROPERTY));
    }
}
