package dev.prefer.cli;

import dev.prefer.objectives.ObjectiveCatalog;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code prefer objectives}: lists every preference objective with one line and its paper. */
@Command(name = "objectives",
        mixinStandardHelpOptions = true,
        description = "List the preference objectives: name, data layout, what it does, paper.",
        footer = {"", "Examples:", "  ./prefer objectives", "  ./prefer objectives --markdown > table.md"})
public final class ObjectivesCommand implements Runnable {

    @Option(names = "--markdown", description = "Print the Markdown table of docs/objectives.md (with formulas).")
    boolean markdown;

    @Override
    public void run() {
        System.out.print(markdown ? ObjectiveCatalog.markdownTable() : ObjectiveCatalog.textTable());
    }
}
