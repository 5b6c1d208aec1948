package dev.prefer.cli;

import dev.prefer.data.BuildInfo;
import dev.prefer.data.DataException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code prefer} command: verbs over the library. Each subcommand parses its options and calls one library
 * entry point, the same call a Java user would make.
 */
@Command(name = "prefer",
        mixinStandardHelpOptions = true,
        versionProvider = Prefer.Version.class,
        description = "Learning from human preferences: collect, model, optimize, evaluate.",
        subcommands = {
                CommandLine.HelpCommand.class,
                QuickstartCommand.class,
                DataCommand.class,
                RateCommand.class,
                ServeCommand.class,
                LogpsCommand.class,
                GenerateCommand.class,
                ObjectivesCommand.class,
                TrainCommand.class,
                ScoreCommand.class,
                EvalCommand.class,
                RankingAccuracyCommand.class,
                TaskCommand.class,
                BenchCommand.class,
                RlCommand.class,
                SparkCommand.class,
        },
        footer = {"", "Examples:", "  ./prefer --help", "  ./prefer <command> --help"})
public final class Prefer implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the CLI and returns its exit code (used by tests). */
    public static int run(String... args) {
        CommandLine cli = new CommandLine(new Prefer());
        // 'prefer spark ...' hands its arguments, in order, to prefer-spark's own parser.
        cli.getSubcommands().get("spark").setStopAtPositional(true).setUnmatchedOptionsArePositionalParams(true);
        cli.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            // Bad input ends with a one-line reason and a non-zero code; a bug keeps its stack trace.
            if (ex instanceof DataException || ex instanceof IllegalArgumentException
                    || ex instanceof java.io.UncheckedIOException) {
                commandLine.getErr().println("prefer: " + DataException.oneLine(ex.getMessage()));
                return 2;
            }
            throw ex;
        });
        // A bad option value or a missing option: one line naming it, not the whole usage page.
        cli.setParameterExceptionHandler((ex, a) -> {
            CommandLine c = ex.getCommandLine();
            String name = c.getCommandSpec().qualifiedName(" ");
            c.getErr().println("prefer: " + DataException.oneLine(ex.getMessage()) + " (see '" + name + " --help')");
            return 2;
        });
        return cli.execute(args);
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"prefer " + BuildInfo.version() + " (" + BuildInfo.gitCommit() + "), Java " + System.getProperty("java.version")};
        }
    }
}
