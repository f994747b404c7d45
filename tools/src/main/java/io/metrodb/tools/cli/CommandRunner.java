package io.metrodb.tools.cli;

import io.metrodb.client.MetroClient;
import io.metrodb.client.MetroException;
import io.metrodb.protocol.ProtocolLimits;
import io.metrodb.protocol.StatusCodes;
import io.netty.buffer.ByteBuf;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Runs one command (its words) against the cluster: the key-value commands through the SDK, PING, INFO and
 * CLUSTER through an {@link AdminLink}; answers a {@link Reply}, never throws for a failure of the command.
 */
final class CommandRunner
{
    private final MetroClient client;
    private final AdminLink mapd;
    private final AdminLink mond;

    /**
     * @param client the SDK client of the mapd.
     * @param mapd   a link to the same mapd.
     * @param mond   a link to mond for CLUSTER, or null to ask the mapd.
     */
    CommandRunner(final MetroClient client, final AdminLink mapd, final AdminLink mond)
    {
        this.client = client;
        this.mapd = mapd;
        this.mond = mond;
    }

    /**
     * @param words the command and its arguments, at least one word.
     * @return the reply.
     */
    Reply run(final List<byte[]> words)
    {
        final String name = new String(words.get(0), StandardCharsets.UTF_8);
        final CommandTable.Spec spec = CommandTable.find(name);
        if (spec == null)
        {
            return Reply.usageError("ERR unknown command '" + name + "' (HELP lists the commands)");
        }
        final List<byte[]> args = words.subList(1, words.size());
        if (!spec.accepts(args.size()))
        {
            return Reply.usageError("ERR wrong number of arguments for '" + name.toLowerCase(Locale.ROOT) +
                "': " + CommandTable.usage(spec));
        }
        try
        {
            return dispatch(spec.name(), args);
        }
        catch (final IOException | RuntimeException e)
        {
            return errorReply(e);
        }
    }

    /**
     * @return the error reply for a failed command: {@code STATUS_NAME message} for a failure the server
     * answered, {@code ERR message} for the others.
     */
    static Reply errorReply(final Exception e)
    {
        if (e instanceof MetroException)
        {
            final short status = ((MetroException)e).status();
            return Reply.error((status == 0 ? "ERR" : StatusCodes.name(status)) + " " + e.getMessage());
        }
        if (e instanceof IOException)
        {
            return Reply.error("ERR " + describe((IOException)e));
        }
        if (e instanceof IllegalArgumentException)
        {
            return Reply.error("ERR " + e.getMessage());
        }
        // a bug or a local failure (a file that cannot be written): say it, and keep the prompt alive
        return Reply.error("ERR " + e);
    }

    private Reply dispatch(final String name, final List<byte[]> args) throws IOException
    {
        switch (name)
        {
            case "GET":
                return Reply.bulk(client.get(args.get(0)));
            case "SET":
                client.set(args.get(0), args.get(1));
                return Reply.OK;
            case "SETSAFE":
                client.setSafe(args.get(0), args.get(1));
                return Reply.OK;
            case "DEL":
                return Reply.integer(countTrue(args, true));
            case "EXISTS":
                return Reply.integer(countTrue(args, false));
            case "MGET":
                return mget(args);
            case "MSET":
                return mset(args);
            case "SETFROMFILE":
                return setFromFile(args.get(0), text(args.get(1)));
            case "GETTOFILE":
                return getToFile(args.get(0), text(args.get(1)));
            case "PING":
                mapd.ping();
                return Reply.status("PONG");
            case "INFO":
                return info(args.isEmpty() ? "" : text(args.get(0)));
            case "CLUSTER":
                return cluster();
            case "HELP":
                return help(args.isEmpty() ? null : text(args.get(0)));
            case "QUIT":
            case "EXIT":
                return Reply.OK;
            default:
                throw new IllegalStateException("no handler for " + name);
        }
    }

    private long countTrue(final List<byte[]> keys, final boolean delete)
    {
        long count = 0;
        for (final byte[] key : keys)
        {
            if (delete ? client.delete(key) : client.exists(key))
            {
                count++;
            }
        }
        return count;
    }

    private Reply mget(final List<byte[]> keys)
    {
        final List<Reply> values = new ArrayList<>(keys.size());
        for (final byte[] value : client.getAll(new ArrayList<>(keys)))
        {
            values.add(Reply.bulk(value));
        }
        return Reply.array(values);
    }

    private Reply mset(final List<byte[]> args)
    {
        final List<byte[]> keys = new ArrayList<>();
        final List<byte[]> values = new ArrayList<>();
        for (int i = 0; i < args.size(); i += 2)
        {
            keys.add(args.get(i));
            values.add(args.get(i + 1));
        }
        client.setAll(keys, values);
        return Reply.OK;
    }

    /**
     * @return the largest value the mapd takes, from the frame limit its HELLO announced.
     */
    int maxValueLength() throws IOException
    {
        return mapd.maxFrameLength() - ProtocolLimits.FRAME_OVERHEAD;
    }

    private Reply setFromFile(final byte[] key, final String file) throws IOException
    {
        final Path path = Path.of(file);
        if (!Files.isRegularFile(path))
        {
            return Reply.error("ERR no such file: " + file);
        }
        final long size = Files.size(path);
        final int limit = maxValueLength();
        if (size > limit)
        {
            return Reply.error("ERR " + file + " is " + size + " bytes, over the mapd's value limit of " + limit +
                " bytes");
        }
        client.set(key, Files.readAllBytes(path));
        return Reply.OK;
    }

    private Reply getToFile(final byte[] key, final String file) throws IOException
    {
        final byte[] value = client.get(key);
        if (value == null)
        {
            return Reply.NIL;
        }
        Files.write(Path.of(file), value);
        return Reply.integer(value.length);
    }

    private Reply info(final String prefix) throws IOException
    {
        final String text = mapd.info("");
        if (prefix.isEmpty())
        {
            return Reply.text(text.stripTrailing());
        }
        final StringBuilder lines = new StringBuilder();
        for (final String line : text.split("\n"))
        {
            if (line.startsWith(prefix))
            {
                lines.append(line).append('\n');
            }
        }
        return Reply.text(lines.toString().stripTrailing());
    }

    private Reply cluster() throws IOException
    {
        final ByteBuf view = (mond != null ? mond : mapd).clusterView();
        try
        {
            return Reply.text(ClusterTable.render(view));
        }
        finally
        {
            view.release();
        }
    }

    private static Reply help(final String command)
    {
        final String text = CommandTable.help(command);
        return text == null ? Reply.usageError("ERR no command '" + command + "' (HELP lists the commands)") :
            Reply.text(text);
    }

    private static String text(final byte[] word)
    {
        return new String(word, StandardCharsets.UTF_8);
    }

    static String describe(final IOException e)
    {
        if (e instanceof NoSuchFileException)
        {
            return "no such file: " + e.getMessage();
        }
        final String message = e.getMessage();
        return message == null ? e.getClass().getSimpleName() : message;
    }
}
