package dev.prefer.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.prefer.data.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** The prefer serve subcommands through the real CLI entry point (the server itself is tested in prefer-serve). */
class ServeCommandTest {

    @TempDir
    Path tmp;

    int run(String... args) {
        return Prefer.run(args);
    }

    String err(String... args) {
        PrintStream old = System.err;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setErr(new PrintStream(buf, true));
        try {
            assertEquals(2, Prefer.run(args));
        } finally {
            System.setErr(old);
        }
        return buf.toString();
    }

    @Test
    void createAdminImportExport() throws Exception {
        Path db = tmp.resolve("p.db");
        Path pw = tmp.resolve("pw.txt");
        Files.writeString(pw, "a long passphrase\n");
        assertEquals(0, run("serve", "create-admin", "--db", db.toString(), "--username", "alice", "--password-file", pw.toString()));
        assertTrue(err("serve", "create-admin", "--db", db.toString(), "--username", "alice", "--password-file", pw.toString())
                .contains("already exists"));
        Files.writeString(tmp.resolve("short.txt"), "short");
        assertTrue(err("serve", "create-user", "--db", db.toString(), "--username", "bob", "--password-file", tmp.resolve("short.txt").toString())
                .contains("at least 10 characters"));

        Path prompts = tmp.resolve("prompts.jsonl");
        Files.write(prompts, List.of("{\"prompt\": \"P\", \"responses\": {\"a\": \"x\", \"b\": \"y\"}}"));
        assertEquals(0, run("serve", "import", "--db", db.toString(), "--name", "pilot", "--file", prompts.toString(),
                "--policy", "active", "--attribute", "helpfulness:1-5"));
        Path bad = tmp.resolve("bad.jsonl");
        Files.write(bad, List.of("{\"prompt\": \"P\", \"responses\": {\"a\": \"x\"}}"));
        String e = err("serve", "import", "--db", db.toString(), "--name", "bad", "--file", bad.toString());
        assertTrue(e.contains("bad.jsonl:1: field 'responses'"), e);
        assertEquals(1, e.strip().lines().count(), "one-line reason");

        Path out = tmp.resolve("out");
        assertEquals(0, run("serve", "export", "--db", db.toString(), "--campaign", "pilot", "--format", "arena", "--out", out.toString()));
        assertEquals(0, Json.MAPPER.readTree(out.resolve("clean_battle.json").toFile()).size());
        JsonNode manifest = Json.MAPPER.readTree(out.resolve("manifest.json").toFile());
        assertEquals("serve-export", manifest.get("kind").asText());
        assertTrue(err("serve", "export", "--db", db.toString(), "--campaign", "nope", "--format", "trl", "--out", out.toString())
                .contains("no campaign 'nope'"));
        assertTrue(err("serve", "export", "--db", db.toString(), "--campaign", "pilot", "--format", "xml", "--out", out.toString())
                .contains("unknown export format"));
    }

    @Test
    void refusesToServeWithoutAnAdmin() {
        String e = err("serve", "--db", tmp.resolve("empty.db").toString(), "--port", "0");
        assertTrue(e.contains("no admin yet"), e);
    }
}
