package io.metrodb.mapd;

import io.metrodb.protocol.ErrorPayload;
import io.metrodb.protocol.FrameHeader;
import io.metrodb.protocol.Opcodes;
import io.metrodb.protocol.StatusCodes;
import io.metrodb.protocol.mapd.SetRequest;
import io.metrodb.protocol.mapd.WriteResponse;
import io.metrodb.testing.Await;
import io.metrodb.testing.TestCluster;
import io.netty.buffer.ByteBuf;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.metrodb.mapd.MapdClient.bytes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A SETSAFE's journal entry, grid change and peers go ahead while the logds force its record (each logd answers the
 * offset first), and the client hears OK only once every logd answered that its record is forced. Two logds whose
 * forces never end until the test says so.
 */
class SetSafeForceTest
{
    private static final long TIMEOUT_MS = 20_000;

    @TempDir
    Path dir;

    private ForceHoldingLogd first;
    private ForceHoldingLogd second;
    private MapdServer mapd;

    @BeforeEach
    void start() throws Exception
    {
        first = new ForceHoldingLogd(1);
        second = new ForceHoldingLogd(2);
        final MapdConfig config = new MapdConfig(TestCluster.HOST, 0, dir.resolve("mapd"), 7,
            List.of(first.address(), second.address()), 2, TestCluster.MAX_VALUE, null, 5_000, 0, 0)
            .withLocalReads(false).logdWaitMs(500);
        mapd = MapdServer.start(config, false);
        mapd.whenLogdsHealthy(2).get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
    }

    @AfterEach
    void stop()
    {
        if (mapd != null)
        {
            mapd.close();
        }
        first.close();
        second.close();
    }

    /** Sends a SETSAFE and waits until both logds hold its forced answer and the mapd forced its journal entry. */
    private void setSafeWhileTheLogdsForce(final MapdClient client, final MapdClient other) throws Exception
    {
        sendSetSafe(client, 1, "k");
        Await.until("both logds hold the forced answer", TIMEOUT_MS, () -> first.held() == 1 && second.held() == 1);
        Await.until("the mapd forced its journal entry while the logds force", TIMEOUT_MS,
            () -> mapd.journal().stats().durableAcks() >= 1);
        assertEquals(StatusCodes.OK, other.exists("k").status(), "installed while the logds force, as a SET is");
    }

    @Test
    void shouldAnswerOkOnlyOnceEveryLogdForcedTheRecord() throws Exception
    {
        try (MapdClient client = new MapdClient(mapd.port()); MapdClient other = new MapdClient(mapd.port()))
        {
            setSafeWhileTheLogdsForce(client, other);
            first.answerForced(StatusCodes.OK);
            second.answerForced(StatusCodes.OK);

            final Reply reply = readReply(client, 1);
            assertEquals(StatusCodes.OK, reply.status(), reply.message());
            assertEquals(2, reply.replicas(), "both replicas");
            assertEquals(1, first.appends(), "one append per logd, no retry");
            assertEquals(1, second.appends(), "one append per logd, no retry");
        }
    }

    @Test
    void shouldFailASetSafeWhoseLogdTookTheRecordButDidNotForceIt() throws Exception
    {
        try (MapdClient client = new MapdClient(mapd.port()); MapdClient other = new MapdClient(mapd.port()))
        {
            setSafeWhileTheLogdsForce(client, other);
            // Had the mapd answered before the forced answers, this reply would be OK. No third logd can take the
            // record again (SetSafeReappendTest): the write fails once its --logd-wait-ms is over.
            first.answerForced(StatusCodes.OK);
            second.answerForced(StatusCodes.STORAGE_ERROR);

            final Reply reply = readReply(client, 1);
            assertEquals(StatusCodes.STORAGE_ERROR, reply.status(), StatusCodes.name(reply.status()));
            assertTrue(reply.message().contains("logd 2") && reply.message().contains("did not force"),
                reply.message());

            // The session went back to the pool in a sane state: the next SETSAFE works.
            sendSetSafe(client, 2, "k2");
            Await.until("the second SETSAFE's appends are held", TIMEOUT_MS,
                () -> first.held() == 1 && second.held() == 1);
            first.answerForced(StatusCodes.OK);
            second.answerForced(StatusCodes.OK);
            assertEquals(StatusCodes.OK, readReply(client, 2).status(), "a later SETSAFE succeeds");
        }
    }

    private static void sendSetSafe(final MapdClient client, final long requestId, final String key) throws Exception
    {
        client.socket().send(out -> SetRequest.encode(out, requestId, Opcodes.SETSAFE, bytes(key), bytes("v")));
    }

    /** The answer to a write: its status, and the error message or the replica count. */
    private record Reply(short status, String message, int replicas)
    {
    }

    private static Reply readReply(final MapdClient client, final long requestId) throws Exception
    {
        final ByteBuf frame = client.socket().readFrame();
        try
        {
            assertEquals(requestId, FrameHeader.requestId(frame, 0));
            final short status = FrameHeader.status(frame, 0);
            return StatusCodes.isError(status) ?
                new Reply(status, ErrorPayload.message(frame, 0), 0) :
                new Reply(status, "", WriteResponse.replicas(frame, 0));
        }
        finally
        {
            frame.release();
        }
    }
}
