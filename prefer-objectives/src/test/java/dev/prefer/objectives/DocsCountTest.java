package dev.prefer.objectives;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Issue #16 item 6: the README and ARCHITECTURE state the number of objectives that {@code prefer objectives} lists. */
class DocsCountTest {

    @Test
    void docsStateTheCatalogsCount() throws Exception {
        int n = ObjectiveCatalog.entries().size();
        Pattern p = Pattern.compile("(\\d+\\+?) preference objectives");
        for (Path doc : List.of(Path.of("../README.md"), Path.of("../docs/ARCHITECTURE.md"))) {
            Matcher m = p.matcher(Files.readString(doc));
            boolean any = false;
            while (m.find()) {
                any = true;
                assertEquals(Integer.toString(n), m.group(1), doc + " says " + m.group(0));
            }
            assertFalse(!any && doc.endsWith("ARCHITECTURE.md"), doc + " states no count");
        }
    }
}
