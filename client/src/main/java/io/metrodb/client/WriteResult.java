package io.metrodb.client;

/**
 * What a mapd answered to a successful SET, SETSAFE or DEL.
 *
 * @param version     the version the write got: the accepting mapd's hybrid logical clock (48 bits of milliseconds,
 *                    16 bits of counter).
 * @param versionNode the node id of the mapd that accepted the write (breaks version ties).
 * @param replicas    logd replicas written.
 * @param peersAcked  peer mapds that acknowledged the change (SETSAFE and durable DEL; 0 for SET).
 * @param peersLive   peer mapds live when the change was broadcast.
 */
public record WriteResult(long version, int versionNode, int replicas, int peersAcked, int peersLive)
{
}
