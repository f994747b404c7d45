package io.metrodb.mond;

import io.metrodb.protocol.FrameHeader;
import io.metrodb.protocol.StatusCodes;
import io.metrodb.protocol.mapd.ProbeRequest;
import io.metrodb.protocol.mapd.ProbeResponse;
import io.metrodb.protocol.netty.RequestWriter;
import io.metrodb.protocol.netty.ResponseListener;
import io.metrodb.protocol.validation.FrameValidator;
import io.netty.buffer.ByteBuf;

/**
 * One stream of PROBEs at a key rate, one PROBE in flight at a time: random samples over the UP mapds in
 * turn, or a SCAN walk of one mapd's whole grid with a cursor (the scrub, and the sweep after a logd loss).
 * <p>
 * Rate: credit accrues at {@code keysPerSec} up to one batch ({@code keysPerSec / 10}, 1..1024 keys); a PROBE
 * of one batch goes out when a whole batch is saved and a mapd is free, so at most ten PROBEs a second up to
 * 10,240 keys/s (rate / 1024 above that) and never more keys than the rate. Credit does not pile up while no mapd is free.
 */
final class ProbeWalker implements ResponseListener
{
    static final int MAX_BATCH = 1024;

    /** What a SCAN walker does when its walk wraps around. */
    interface PassListener
    {
        void onPassComplete(ProbeWalker walker);
    }

    final String name;
    private final MondAgent agent;
    private final int mode;
    private final double keysPerNs;
    private final int batch;
    private final PassListener passListener;
    private final RequestWriter writer;
    private double credit;
    private long lastNs;
    private boolean active;
    private boolean inFlight;
    private MonitoredNode target;
    private long cursor;
    private int rotation;
    private int sendKeys;
    private long passStartNs;
    private boolean resting;
    private long restUntilNs;

    /**
     * @param mode         {@link ProbeRequest#MODE_RANDOM} or {@link ProbeRequest#MODE_SCAN}.
     * @param keysPerSec   key rate; 0 disables the walker.
     * @param passListener told when a SCAN walk wraps, or null.
     */
    ProbeWalker(
        final String name,
        final MondAgent agent,
        final int mode,
        final int keysPerSec,
        final PassListener passListener,
        final long nowNs)
    {
        this.name = name;
        this.agent = agent;
        this.mode = mode;
        this.keysPerNs = keysPerSec / 1e9;
        this.batch = batchFor(keysPerSec);
        this.passListener = passListener;
        this.credit = batch;
        this.lastNs = nowNs;
        this.active = keysPerSec > 0;
        this.writer = (out, requestId) -> ProbeRequest.encode(out, requestId, this.mode, sendKeys, cursor);
    }

    static int batchFor(final int keysPerSec)
    {
        return Math.max(1, Math.min(MAX_BATCH, (keysPerSec + 9) / 10));
    }

    boolean isActive()
    {
        return active;
    }

    /**
     * Starts (or stops) the walker; a started SCAN walker begins a new pass at cursor 0.
     */
    void active(final boolean newActive, final long nowNs)
    {
        if (newActive && !active)
        {
            cursor = 0;
            target = null;
            lastNs = nowNs;
            credit = batch;
            resting = false;
        }
        active = newActive && keysPerNs > 0;
    }

    /**
     * Sends nothing until {@code untilNs} (or {@link #endRest}); no credit accrues meanwhile.
     */
    void rest(final long untilNs)
    {
        resting = true;
        restUntilNs = untilNs;
    }

    /**
     * Ends a rest now, if one is running: the walker goes on at its rate.
     */
    void endRest(final long nowNs)
    {
        if (resting)
        {
            resting = false;
            lastNs = nowNs;
            credit = batch;
        }
    }

    boolean isResting()
    {
        return resting;
    }

    /**
     * @return when the current SCAN pass sent its first PROBE (cursor 0).
     */
    long passStartNs()
    {
        return passStartNs;
    }

    void doWork(final long nowNs)
    {
        if (!active)
        {
            return;
        }
        if (resting)
        {
            if (nowNs - restUntilNs < 0)
            {
                return;
            }
            endRest(nowNs);
        }
        credit = Math.min(batch, credit + (nowNs - lastNs) * keysPerNs);
        lastNs = nowNs;
        if (inFlight || credit < batch)
        {
            return;
        }
        final MonitoredNode mapd = mode == ProbeRequest.MODE_RANDOM ? nextFreeMapd() : scanTarget();
        if (mapd == null)
        {
            return;
        }
        sendKeys = batch;
        if (mapd.connection.send(writer, this, 0, FrameHeader.HEADER_LENGTH + ProbeRequest.LENGTH) < 0)
        {
            return;
        }
        if (mode == ProbeRequest.MODE_SCAN && cursor == 0)
        {
            passStartNs = nowNs;
        }
        credit -= batch;
        inFlight = true;
        target = mapd;
        mapd.probeInFlight = true;
        agent.counters().probesSent.incrementRelease();
    }

    /**
     * @return ns from {@code nowNs} until this walker has a whole batch of credit to send (0 when it has one), or
     * {@link Long#MAX_VALUE} while it is inactive or its PROBE is in flight (its answer wakes the agent).
     */
    long untilNextSendNs(final long nowNs)
    {
        if (!active || inFlight)
        {
            return Long.MAX_VALUE;
        }
        if (resting && nowNs - restUntilNs < 0)
        {
            return restUntilNs - nowNs;
        }
        final double missing = batch - Math.min(batch, credit + (nowNs - lastNs) * keysPerNs);
        return missing <= 0 ? 0 : (long)Math.ceil(missing / keysPerNs);
    }

    private MonitoredNode nextFreeMapd()
    {
        final MonitoredNode[] mapds = agent.mapds();
        for (int i = 0; i < mapds.length; i++)
        {
            final MonitoredNode mapd = mapds[(rotation + i) % mapds.length];
            if (mapd.isServing() && !mapd.probeInFlight)
            {
                rotation = (rotation + i + 1) % mapds.length;
                return mapd;
            }
        }
        return null;
    }

    /**
     * A walk stays on one mapd (cursors are positions in that mapd's grid); when that mapd stops serving, the
     * walk starts again from cursor 0 on the next one.
     */
    private MonitoredNode scanTarget()
    {
        if (target != null && target.isServing())
        {
            return target.probeInFlight ? null : target;
        }
        final MonitoredNode next = nextFreeMapd();
        if (next != null)
        {
            target = next;
            cursor = 0;
        }
        return next;
    }

    @Override
    public void onResponse(final long token, final ByteBuf frame, final int at)
    {
        final MonitoredNode mapd = target;
        inFlight = false;
        mapd.probeInFlight = false;
        agent.onProbeDone(this);
        if (!FrameValidator.isValidResponse(frame, at))
        {
            agent.counters().probesFailed.incrementRelease();
            return;
        }
        final short status = FrameHeader.status(frame, at);
        if (status != StatusCodes.OK)
        {
            if (status == StatusCodes.OVERLOADED)
            {
                agent.counters().probesRefused.incrementRelease();
            }
            else
            {
                agent.counters().probesFailed.incrementRelease();
            }
            return;
        }
        agent.counters().keysChecked.getAndAddRelease(ProbeResponse.checked(frame, at));
        final long nowNs = System.nanoTime();
        int bad = ProbeResponse.firstBadIndex(at);
        for (int i = ProbeResponse.badCount(frame, at); i > 0; i--)
        {
            agent.onBadReplica(mapd, frame, bad, nowNs);
            bad = ProbeResponse.nextBadIndex(frame, bad);
        }
        if (mode == ProbeRequest.MODE_SCAN)
        {
            cursor = ProbeResponse.nextCursor(frame, at);
            if (cursor == 0 && passListener != null)
            {
                passListener.onPassComplete(this);
            }
        }
    }

    @Override
    public void onFailure(final long token, final short status)
    {
        inFlight = false;
        if (target != null)
        {
            target.probeInFlight = false;
        }
        agent.onProbeDone(this);
        agent.counters().probesFailed.incrementRelease();
    }

    void appendInfo(final StringBuilder text)
    {
        text.append(name).append("_active:").append(active ? 1 : 0).append('\n')
            .append(name).append("_resting:").append(resting ? 1 : 0).append('\n');
        if (mode == ProbeRequest.MODE_SCAN)
        {
            text.append(name).append("_mapd:").append(target == null ? "-" : target.host + ":" + target.port)
                .append('\n')
                .append(name).append("_cursor:").append(cursor).append('\n');
        }
    }
}
