package dev.prefer.cli;

import dev.prefer.data.PreferencePair;
import dev.prefer.data.pref.PreferenceData;
import dev.prefer.data.pref.PreferenceFormat;
import dev.prefer.data.pref.PreferenceReader;
import dev.prefer.reward.Backbones;
import dev.prefer.reward.backbone.CachedBackbone;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Option;

/** Options shared by the reward commands: how to read pairs and how to run the backbone. */
final class RewardOptions {
    @Option(names = "--format", description = "Input layout (standard, implicit-prompt, conversational, ...); detected from the first row when omitted.")
    String format;

    @Option(names = "--skip-bad-rows", description = "Count and skip bad rows instead of stopping at the first.")
    boolean skipBadRows;

    @Option(names = "--threads", defaultValue = "0", description = "Backbone threads (0 = one per processor).")
    int threads;

    @Option(names = "--cache", description = "Embedding cache folder (default: $XDG_CACHE_HOME/prefer/embeddings or ~/.cache/prefer/embeddings).")
    Path cache;

    @Option(names = "--no-cache", description = "Keep embeddings in memory only.")
    boolean noCache;

    Backbones.Options backbone() {
        int t = threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
        return new Backbones.Options(t, noCache ? null : cache != null ? cache : CachedBackbone.defaultRoot());
    }

    List<PreferencePair> read(Path file) {
        PreferenceReader.Options o = PreferenceReader.Options.DEFAULT.withSkipBadRows(skipBadRows);
        if (format != null) o = o.withFormat(PreferenceFormat.parse(format));
        PreferenceData d = PreferenceReader.read(file, o);
        if (d.pairs().isEmpty()) throw new IllegalArgumentException(file + ": no preference pairs (format " + d.format().cliName() + ")");
        return d.pairs();
    }
}
