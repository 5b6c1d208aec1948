package dev.prefer.objectives;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class CatalogTest {

    /** docs/objectives.md holds the table generated from the catalog, so docs and CLI come from one source. */
    @Test
    void docsHoldTheGeneratedTable() throws Exception {
        String table = ObjectiveCatalog.markdownTable();
        Files.createDirectories(Path.of("target"));
        Files.writeString(Path.of("target/objectives-table.md"), table); // to paste into the docs after a change
        Path docs = Path.of("..", "docs", "objectives.md");
        assertTrue(Files.isRegularFile(docs), "missing " + docs.toAbsolutePath());
        assertTrue(Files.readString(docs).contains(table),
                "docs/objectives.md is out of date: paste prefer-objectives/target/objectives-table.md into it");
    }

    @Test
    void everyEntryBuildsWithDefaultsAndNamesMatch() {
        Set<String> names = new HashSet<>();
        for (ObjectiveCatalog.Entry e : ObjectiveCatalog.entries()) {
            assertTrue(names.add(e.name()), "duplicate " + e.name());
            Objective o = e.create(ObjectiveCatalog.defaultsFor(e));
            assertEquals(e.name(), o.name());
            assertTrue(e.paper().contains("arXiv") || e.name().equals("sft") || e.name().equals("cdpo"), e.name());
        }
        assertTrue(ObjectiveCatalog.textTable().lines().count() == ObjectiveCatalog.entries().size());
    }

    @Test
    void parametersAreParsedAndChecked() {
        Objective o = ObjectiveCatalog.create("simpo", ObjectiveCatalog.parseParams("beta=2.5, gamma=1"));
        assertEquals("simpo", o.name());
        var e = assertThrows(IllegalArgumentException.class, () -> ObjectiveCatalog.create("dpo", Map.of("gamma", 1.0)));
        assertEquals("dpo has no parameter 'gamma' (parameters: beta)", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ObjectiveCatalog.create("dpx", Map.of()));
        assertTrue(e.getMessage().startsWith("unknown objective 'dpx' (known: dpo, cdpo,"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ObjectiveCatalog.parseParams("beta"));
        Objective modpo = ObjectiveCatalog.create("modpo", Map.of("w-safe", 0.2, "w-helpful", 0.3));
        assertEquals(java.util.List.of("helpful", "safe"), modpo.requirements().attributes());
        assertEquals(false, ObjectiveCatalog.create("orpo", Map.of()).requirements().reference());
    }
}
