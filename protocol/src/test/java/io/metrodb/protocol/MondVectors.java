package io.metrodb.protocol;

import io.metrodb.protocol.mond.ClusterView;
import io.metrodb.protocol.mond.HeartbeatRequest;
import io.metrodb.protocol.mond.HeartbeatResponse;

import static io.metrodb.protocol.GoldenVectors.add;
import static io.metrodb.protocol.GoldenVectors.withFrame;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The golden vectors of the mond (HEARTBEAT, CLUSTER_VIEW) messages; registered in order by {@link GoldenVectors}.
 */
final class MondVectors
{
    private MondVectors()
    {
    }

    static void register()
    {
        add("heartbeat-request",
            out -> HeartbeatRequest.encode(out, 20, 123_456_789L, 5),
            f -> withFrame(f, (buf, at) ->
            {
                assertEquals(StatusCodes.OK, HeartbeatRequest.validate(buf, at));
                assertEquals(123_456_789L, HeartbeatRequest.sendTimeNs(buf, at));
                assertEquals(5, HeartbeatRequest.viewEpoch(buf, at));
            }));
        add("heartbeat-response",
            out -> HeartbeatResponse.encode(out, 20, 123_456_789L, Roles.LOGD, HeartbeatResponse.STATE_SERVING, 1,
                8192, 0),
            f -> withFrame(f, (buf, at) ->
            {
                assertTrue(HeartbeatResponse.isValid(buf, at));
                assertEquals(123_456_789L, HeartbeatResponse.sendTimeNs(buf, at));
                assertEquals(Roles.LOGD, HeartbeatResponse.role(buf, at));
                assertEquals(1, HeartbeatResponse.nodeId(buf, at));
                assertEquals(8192, HeartbeatResponse.dataBytes(buf, at));
                assertEquals(0, HeartbeatResponse.viewEpoch(buf, at));
            }));
        add("cluster-view-query",
            out -> ClusterView.encodeQuery(out, 21),
            f -> withFrame(f, (buf, at) -> assertTrue(ClusterView.isQuery(buf, at))));
        add("cluster-view-response",
            out ->
            {
                ClusterView.encodeViewHeader(out, 21, true, 5, 1, 1000, 1, 1, 0, ClusterView.nodeLength(9));
                ClusterView.writeNode(out, 1, Roles.LOGD, ClusterView.NODE_UP, 7558, 1_764_400_000_000L, 85, 8192,
                    "127.0.0.1");
            },
            f -> withFrame(f, (buf, at) ->
            {
                assertTrue(ClusterView.isValidView(buf, at));
                assertEquals(5, ClusterView.epoch(buf, at));
                assertEquals(1, ClusterView.nodeCount(buf, at));
                assertEquals(1000, ClusterView.keysChecked(buf, at));
                final int node = ClusterView.firstNodeIndex(at);
                assertEquals(1, ClusterView.nodeId(buf, node));
                assertEquals(ClusterView.NODE_UP, ClusterView.nodeState(buf, node));
                assertEquals(7558, ClusterView.nodePort(buf, node));
                assertEquals("127.0.0.1", ClusterView.nodeHost(buf, node));
                assertEquals(85, ClusterView.nodeLastRttUs(buf, node));
            }));

    }
}
