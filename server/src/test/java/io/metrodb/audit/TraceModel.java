package io.metrodb.audit;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Replays the syscalls of one traced process in trace order and keeps what the audit needs: which file each fd and
 * each shared mapping is ({@code openat}, {@code close}, {@code dup*}, {@code mmap}, {@code munmap}), every force that
 * returned 0 as a file range ({@code msync} with {@code MS_SYNC} through the mapping it hit, {@code fsync} and
 * {@code fdatasync} as the whole file), and every TCP connection's frames in both directions ({@code accept4} makes
 * an inbound connection, {@code connect} an outbound one; writes, reads and their vector forms carry the bytes).
 * {@code sync_file_range} and {@code MS_ASYNC} start write-back but promise nothing, so they are not forces.
 */
final class TraceModel
{
    private static final Set<String> WRITES = Set.of("write", "writev", "send", "sendto", "sendmsg");
    private static final Set<String> READS = Set.of("read", "readv", "recv", "recvfrom", "recvmsg");

    private final Map<Integer, Object> fds = new HashMap<>();
    private final TreeMap<Long, Mapping> mappings = new TreeMap<>();
    private final List<Force> forces = new ArrayList<>();
    private final List<Connection> connections = new ArrayList<>();
    private int syscalls;

    /**
     * A force that returned: the bytes {@code [from, to)} of {@code file} were on stable storage at {@code endLine}.
     */
    record Force(String file, long from, long to, int endLine, String call)
    {
    }

    /**
     * A TCP connection of the traced process.
     *
     * @param inbound true when it was accepted (a client of the traced server), false when the process connected.
     */
    record Connection(int id, int fd, boolean inbound, FrameStream out, FrameStream in)
    {
    }

    private record Mapping(long address, long length, String file, long fileOffset)
    {
        long end()
        {
            return address + length;
        }
    }

    /** An fd that is a socket not yet accepted or connected. */
    private static final Object SOCKET = new Object();

    static TraceModel of(final List<Syscall> calls)
    {
        final TraceModel model = new TraceModel();
        final List<Object[]> events = new ArrayList<>(calls.size());
        for (final Syscall call : calls)
        {
            // Bytes leave with a write when it is entered; everything else takes effect when the call returns.
            events.add(new Object[]{ WRITES.contains(call.name()) ? call.startLine() : call.endLine(), call });
        }
        events.sort(Comparator.comparingInt(event -> (Integer)event[0]));
        for (final Object[] event : events)
        {
            model.apply((Syscall)event[1]);
        }
        return model;
    }

    List<Force> forces()
    {
        return forces;
    }

    List<Connection> connections()
    {
        return connections;
    }

    int syscalls()
    {
        return syscalls;
    }

    private void apply(final Syscall call)
    {
        syscalls++;
        if (WRITES.contains(call.name()) || READS.contains(call.name()))
        {
            // Most reads are of class files: look at the fd before splitting a long argument list.
            final int comma = call.args().indexOf(',');
            if (comma < 0 || !(fds.get((int)StraceArgs.number(call.args().substring(0, comma))) instanceof Connection))
            {
                return;
            }
        }
        final List<String> args = StraceArgs.split(call.args());
        final long result = call.returnValue();
        switch (call.name())
        {
            case "openat":
            case "open":
            case "creat":
                if (result >= 0)
                {
                    final String path = StraceArgs.text("openat".equals(call.name()) ? args.get(1) : args.get(0));
                    fds.put((int)result, Path.of(path).normalize().toString());
                }
                break;
            case "close":
                fds.remove((int)StraceArgs.number(args.get(0)));
                break;
            case "dup":
            case "dup2":
            case "dup3":
                if (result >= 0)
                {
                    fds.put((int)result, fds.get((int)StraceArgs.number(args.get(0))));
                }
                break;
            case "fcntl":
                if (result >= 0 && args.size() > 1 && args.get(1).startsWith("F_DUPFD"))
                {
                    fds.put((int)result, fds.get((int)StraceArgs.number(args.get(0))));
                }
                break;
            case "socket":
                if (result >= 0)
                {
                    fds.put((int)result, SOCKET);
                }
                break;
            case "accept":
            case "accept4":
                if (result >= 0)
                {
                    openConnection((int)result, true);
                }
                break;
            case "connect":
                // Non-blocking connects return EINPROGRESS; the bytes that follow tell.
                openConnection((int)StraceArgs.number(args.get(0)), false);
                break;
            case "mmap":
                if (result >= 0)
                {
                    mapped(result, StraceArgs.number(args.get(1)), args.get(3), (int)StraceArgs.number(args.get(4)),
                        StraceArgs.number(args.get(5)));
                }
                break;
            case "munmap":
                if (result == 0)
                {
                    unmap(StraceArgs.number(args.get(0)), StraceArgs.number(args.get(1)));
                }
                break;
            case "msync":
                if (result == 0 && args.get(2).contains("MS_SYNC"))
                {
                    msync(StraceArgs.number(args.get(0)), StraceArgs.number(args.get(1)), call);
                }
                break;
            case "fsync":
            case "fdatasync":
                if (result == 0 && fds.get((int)StraceArgs.number(args.get(0))) instanceof String)
                {
                    forces.add(new Force((String)fds.get((int)StraceArgs.number(args.get(0))), 0, Long.MAX_VALUE,
                        call.endLine(), call.name()));
                }
                break;
            default:
                if (result > 0 && (WRITES.contains(call.name()) || READS.contains(call.name())))
                {
                    transfer(call, args, result);
                }
                break;
        }
    }

    private void openConnection(final int fd, final boolean inbound)
    {
        final Connection connection = new Connection(connections.size(), fd, inbound, new FrameStream(),
            new FrameStream());
        connections.add(connection);
        fds.put(fd, connection);
    }

    private void transfer(final Syscall call, final List<String> args, final long result)
    {
        final Object target = fds.get((int)StraceArgs.number(args.get(0)));
        if (!(target instanceof Connection))
        {
            return;
        }
        final Connection connection = (Connection)target;
        final byte[] data = StraceArgs.strings(args.get(1));
        if (data.length < result)
        {
            throw new IllegalStateException("line " + (call.startLine() + 1) + ": " + call.name() + " moved " + result +
                " bytes but the trace shows " + data.length + " (raise strace -s)");
        }
        final byte[] moved = data.length == result ? data : java.util.Arrays.copyOf(data, (int)result);
        if (WRITES.contains(call.name()))
        {
            connection.out().append(moved, call.startLine());
        }
        else
        {
            connection.in().append(moved, call.endLine());
        }
    }

    private void mapped(final long address, final long length, final String flags, final int fd, final long offset)
    {
        unmap(address, length);
        final Object file = fds.get(fd);
        if (fd >= 0 && flags.contains("MAP_SHARED") && file instanceof String)
        {
            mappings.put(address, new Mapping(address, length, (String)file, offset));
        }
    }

    /**
     * Removes {@code [address, address + length)} from the mappings, keeping the parts of mappings outside it.
     */
    private void unmap(final long address, final long length)
    {
        final long end = address + length;
        final List<Mapping> overlapping = new ArrayList<>();
        for (final Mapping mapping : mappings.values())
        {
            if (mapping.address() < end && address < mapping.end())
            {
                overlapping.add(mapping);
            }
        }
        for (final Mapping mapping : overlapping)
        {
            mappings.remove(mapping.address());
            if (mapping.address() < address)
            {
                mappings.put(mapping.address(), new Mapping(mapping.address(), address - mapping.address(),
                    mapping.file(), mapping.fileOffset()));
            }
            if (end < mapping.end())
            {
                mappings.put(end, new Mapping(end, mapping.end() - end, mapping.file(),
                    mapping.fileOffset() + (end - mapping.address())));
            }
        }
    }

    private void msync(final long address, final long length, final Syscall call)
    {
        final long end = address + length;
        for (final Mapping mapping : mappings.values())
        {
            if (mapping.address() < end && address < mapping.end())
            {
                final long from = Math.max(address, mapping.address()) - mapping.address() + mapping.fileOffset();
                final long to = Math.min(end, mapping.end()) - mapping.address() + mapping.fileOffset();
                forces.add(new Force(mapping.file(), from, to, call.endLine(), "msync"));
            }
        }
    }
}
