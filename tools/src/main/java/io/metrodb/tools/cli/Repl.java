package io.metrodb.tools.cli;

import org.jline.console.ArgDesc;
import org.jline.console.CmdDesc;
import org.jline.reader.Candidate;
import org.jline.reader.Completer;
import org.jline.reader.EndOfFileException;
import org.jline.reader.LineReader;
import org.jline.reader.LineReaderBuilder;
import org.jline.reader.ParsedLine;
import org.jline.reader.UserInterruptException;
import org.jline.terminal.Terminal;
import org.jline.widget.TailTipWidgets;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The interactive prompt: JLine line editing, a history file, completion of command names and, on a real
 * terminal, the arguments still to type shown after the cursor (like redis-cli's hints).
 */
final class Repl
{
    private final Terminal terminal;
    private final CommandRunner runner;
    private final String prompt;
    private final Path historyFile;

    /**
     * @param terminal    the terminal to read and write (a dumb one in tests).
     * @param runner      runs the commands.
     * @param prompt      e.g. {@code 127.0.0.1:7550> }.
     * @param historyFile where the history is kept.
     */
    Repl(final Terminal terminal, final CommandRunner runner, final String prompt, final Path historyFile)
    {
        this.terminal = terminal;
        this.runner = runner;
        this.prompt = prompt;
        this.historyFile = historyFile;
    }

    /**
     * Reads and runs commands until QUIT, EXIT or end of input (Ctrl-D); Ctrl-C drops the line being typed.
     */
    void run() throws IOException
    {
        final LineReader reader = LineReaderBuilder.builder()
            .terminal(terminal)
            .appName("metrodb-cli")
            .completer(new CommandCompleter())
            .variable(LineReader.HISTORY_FILE, historyFile)
            .option(LineReader.Option.CASE_INSENSITIVE, true)
            .option(LineReader.Option.DISABLE_EVENT_EXPANSION, true)
            .build();
        // Tail tips draw past the cursor: not on a dumb terminal, nor on one that reports no size (JLine fails there).
        if (!Terminal.TYPE_DUMB.equals(terminal.getType()) && !Terminal.TYPE_DUMB_COLOR.equals(terminal.getType()) &&
            terminal.getWidth() > 0 && terminal.getHeight() > 0)
        {
            new TailTipWidgets(reader, hints(), 0, TailTipWidgets.TipType.TAIL_TIP).enable();
        }
        final PrintWriter out = terminal.writer();
        try
        {
            while (true)
            {
                final String line;
                try
                {
                    line = reader.readLine(prompt);
                }
                catch (final UserInterruptException e)
                {
                    continue;
                }
                catch (final EndOfFileException e)
                {
                    break;
                }
                final List<byte[]> words;
                try
                {
                    words = LineSplitter.split(line);
                }
                catch (final IllegalArgumentException e)
                {
                    out.println(ReplyFormatter.format(Reply.usageError("ERR Invalid argument(s): " + e.getMessage())));
                    out.flush();
                    continue;
                }
                if (words.isEmpty())
                {
                    continue;
                }
                final String name = new String(words.get(0), StandardCharsets.UTF_8).toUpperCase(Locale.ROOT);
                if (words.size() == 1 && ("QUIT".equals(name) || "EXIT".equals(name)))
                {
                    break;
                }
                out.println(ReplyFormatter.format(runner.run(words)));
                out.flush();
            }
        }
        finally
        {
            reader.getHistory().save();
            out.flush();
        }
    }

    /**
     * @return per command name (both cases), its argument names for the tail tips.
     */
    static Map<String, CmdDesc> hints()
    {
        final Map<String, CmdDesc> hints = new HashMap<>();
        for (final CommandTable.Spec spec : CommandTable.all())
        {
            final List<String> names = new ArrayList<>();
            for (final String name : spec.argNames())
            {
                // JLine's argument names take no blanks: [key value ...] shows as [key_value...]
                names.add(name.replace(" ...", "...").replace(' ', '_'));
            }
            final CmdDesc desc = new CmdDesc(ArgDesc.doArgNames(names));
            hints.put(spec.name(), desc);
            hints.put(spec.name().toLowerCase(Locale.ROOT), desc);
        }
        return hints;
    }

    /**
     * Completes the first word with the command names, in the case it was started in.
     */
    static final class CommandCompleter implements Completer
    {
        @Override
        public void complete(final LineReader reader, final ParsedLine line, final List<Candidate> candidates)
        {
            if (line.wordIndex() != 0)
            {
                return;
            }
            final String typed = line.word();
            final boolean lower = !typed.isEmpty() && Character.isLowerCase(typed.charAt(0));
            for (final CommandTable.Spec spec : CommandTable.all())
            {
                final String name = lower ? spec.name().toLowerCase(Locale.ROOT) : spec.name();
                candidates.add(new Candidate(name, name, null, spec.summary(), null, null, true));
            }
        }
    }
}
