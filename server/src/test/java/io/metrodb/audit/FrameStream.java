package io.metrodb.audit;

import io.metrodb.protocol.FrameHeader;
import io.metrodb.protocol.Preface;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One direction of one connection: the bytes the syscalls carried, cut into {@link Frame}s. A stream that starts with
 * the 8-byte {@link Preface} (a connecting peer's first bytes) has it skipped; a frame length no frame can have
 * stops the decoding ({@link #error()}).
 */
final class FrameStream
{
    private static final int MAX_FRAME = 256 * 1024 * 1024;

    /** The bytes not yet cut into frames; the first is stream byte {@link #consumed}. */
    private byte[] pending = new byte[0];
    private long total;
    /** Per syscall: where its bytes start in the stream, and its line. */
    private final List<long[]> chunks = new ArrayList<>();
    private final List<Frame> frames = new ArrayList<>();
    private long consumed;
    private boolean started;
    private String error;

    void append(final byte[] data, final int line)
    {
        if (data.length == 0 || error != null)
        {
            return;
        }
        chunks.add(new long[]{ total, line });
        total += data.length;
        final byte[] joined = Arrays.copyOf(pending, pending.length + data.length);
        System.arraycopy(data, 0, joined, pending.length, data.length);
        pending = joined;
        int at = 0;
        if (!started)
        {
            if (pending[0] == Preface.FIRST_BYTE)
            {
                if (pending.length < Preface.LENGTH)
                {
                    return;
                }
                at = Preface.LENGTH;
            }
            started = true;
        }
        while (pending.length - at >= FrameHeader.HEADER_LENGTH)
        {
            final int length = ByteBuffer.wrap(pending, at, 4).getInt();
            if (length < FrameHeader.HEADER_LENGTH || length > MAX_FRAME)
            {
                error = "bad frame length " + length + " at stream byte " + (consumed + at);
                break;
            }
            if (pending.length - at < length)
            {
                break;
            }
            frames.add(new Frame(Arrays.copyOfRange(pending, at, at + length), lineAt(consumed + at),
                lineAt(consumed + at + length - 1)));
            at += length;
        }
        consumed += at;
        pending = Arrays.copyOfRange(pending, at, pending.length);
    }

    List<Frame> frames()
    {
        return frames;
    }

    /**
     * @return why decoding stopped, or null.
     */
    String error()
    {
        return error;
    }

    private int lineAt(final long position)
    {
        int line = -1;
        for (int i = chunks.size() - 1; i >= 0; i--)
        {
            if (chunks.get(i)[0] <= position)
            {
                line = (int)chunks.get(i)[1];
                break;
            }
        }
        return line;
    }
}
