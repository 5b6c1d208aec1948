package dev.prefer.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.prefer.data.DataException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Listwise training takes one list length per batch: ragged list files fail at load with the file, line and field. */
class ListLengthTest {

    @Test
    void raggedListsNameTheFirstOddRow(@TempDir Path tmp) throws Exception {
        Path data = tmp.resolve("lists.jsonl");
        Files.write(data, List.of(
                "{\"prompt\": \"Q: 1+1=\", \"responses\": [\" 2\", \" 3\", \" 4\"], \"scores\": [1, 0, 0]}",
                "{\"prompt\": \"Q: 2+2=\", \"responses\": [\" 4\", \" 5\"], \"scores\": [1, 0]}"));
        TrainConfig c = Fixtures.tiny("llama", tmp.resolve("out"), tmp.resolve("cache"))
                .withObjective("plackett-luce", Map.of("beta", 0.1)).withSteps(1, 1);
        c = c.toBuilder().data(data).eval(null, 0).maxSteps(1).epochs(1).batchSize(2).gradAccumulation(1).every(1, 0, 0)
                .lora(null).skipBadRows(false).resume(false).build();
        TrainConfig cfg = c;
        DataException e = assertThrows(DataException.class, () -> Trainer.run(cfg, null));
        assertTrue(e.getMessage().contains("lists.jsonl:2") && e.getMessage().contains("'responses'"), e.getMessage());
        assertEquals(1, e.getMessage().lines().count());
    }
}
