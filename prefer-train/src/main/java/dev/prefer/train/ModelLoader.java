package dev.prefer.train;

import com.fasterxml.jackson.databind.JsonNode;
import dev.prefer.data.DataException;
import dev.prefer.data.Json;
import dev.prefer.lm.CausalLM;
import dev.prefer.lm.Precision;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Loads whatever folder training wrote as a causal LM: a full Hugging Face checkpoint, or a PEFT LoRA adapter folder
 * ({@code adapter_config.json} + {@code adapter_model.safetensors}), which is loaded onto its base model and merged,
 * so that {@code logps}, {@code generate} and {@code score} take either kind of output. The base is the adapter's
 * {@code base_model_name_or_path}: training stores it as an absolute path, so it resolves from any working folder;
 * a relative one (e.g. written by PEFT elsewhere) is tried against the adapter folder, then the working folder.
 */
public final class ModelLoader {
    private ModelLoader() {}

    /** Whether {@code dir} is an adapter folder (an adapter config and no full weights of its own). */
    public static boolean isAdapter(Path dir) {
        return Files.isRegularFile(dir.resolve("adapter_config.json")) && !Files.isRegularFile(dir.resolve("model.safetensors"))
                && !Files.isRegularFile(dir.resolve("model.safetensors.index.json"));
    }

    /** A causal LM from a checkpoint or an adapter folder (merged onto its base). */
    public static CausalLM causalLm(Path dir) {
        return causalLm(dir, Precision.F32);
    }

    public static CausalLM causalLm(Path dir, Precision precision) {
        if (!isAdapter(dir)) return CausalLM.load(dir, precision);
        Path base = resolveBase(dir);
        CausalLM lm = CausalLM.load(base, precision);
        try (Lora adapter = Lora.load(lm, dir)) {
            adapter.mergeInto(lm);
            return lm;
        } catch (RuntimeException e) {
            lm.close();
            throw e;
        }
    }

    /**
     * The base model folder an adapter was trained on.
     *
     * @throws DataException naming adapter_config.json and the paths tried when none is a folder
     */
    public static Path resolveBase(Path adapterDir) {
        Path cfgFile = adapterDir.resolve("adapter_config.json");
        JsonNode c = Json.readObject(cfgFile);
        String name = c.path("base_model_name_or_path").asText("");
        if (name.isBlank()) throw new DataException(cfgFile, 0, "base_model_name_or_path", "missing: the adapter does not say which base model it adapts");
        Path given;
        try {
            given = Path.of(name);
        } catch (java.nio.file.InvalidPathException e) {
            throw new DataException(cfgFile, 0, "base_model_name_or_path", "not a path: " + DataException.oneLine(name));
        }
        List<Path> tried = new ArrayList<>();
        if (given.isAbsolute()) {
            tried.add(given);
        } else {
            tried.add(adapterDir.resolve(given).normalize());
            tried.add(given.toAbsolutePath().normalize());
        }
        for (Path p : tried) if (Files.isRegularFile(p.resolve("config.json"))) return p;
        throw new DataException(cfgFile, 0, "base_model_name_or_path", "base model folder not found (tried "
                + String.join(", ", tried.stream().map(Path::toString).toList()) + "); a Hub id is not downloaded here");
    }
}
