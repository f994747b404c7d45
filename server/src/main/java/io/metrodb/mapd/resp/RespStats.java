package io.metrodb.mapd.resp;

/**
 * Counters of a mapd's Redis connections, for INFO's clients and stats sections. Updated on the data-path thread
 * (a mapd serves every connection on its one data loop); read there too, by INFO.
 */
final class RespStats
{
    final long startNs = System.nanoTime();
    long connectedClients;
    long connectionsReceived;
    long commandsProcessed;
    long protocolErrors;
    long nextClientId;
}
