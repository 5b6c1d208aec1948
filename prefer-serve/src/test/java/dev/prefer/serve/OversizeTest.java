package dev.prefer.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.prefer.serve.bench.Client;
import dev.prefer.serve.web.PreferServer;
import java.io.ByteArrayOutputStream;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue #16 item 4: an upload over the limit answers 413 with a message (not 500 with a stack trace in the log), and
 * an oversized vote body is refused for its size (413), not for some other reason.
 */
class OversizeTest {

    @TempDir
    Path tmp;

    private static byte[] multipart(String boundary, Map<String, String> fields, String fileName, byte[] file) throws Exception {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (var f : fields.entrySet()) {
            b.write(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + f.getKey() + "\"\r\n\r\n" + f.getValue() + "\r\n")
                    .getBytes(StandardCharsets.UTF_8));
        }
        b.write(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"" + fileName
                + "\"\r\nContent-Type: application/octet-stream\r\n\r\n").getBytes(StandardCharsets.UTF_8));
        b.write(file);
        b.write(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        return b.toByteArray();
    }

    @Test
    void oversizedUploadsAndVoteBodiesAnswer413WithTheReason() throws Exception {
        Path prompts = TestServer.prompts(tmp, 2, List.of("p", "q"), "", 3);
        // Small limits keep the test fast; the defaults (64 KiB bodies, 64 MiB uploads) take the same path.
        ServeConfig cfg = TestServer.roomy().withBodyLimits(16 * 1024, 256 * 1024);
        try (TestServer ts = new TestServer("sqlite", tmp, 1, CampaignSpec.defaults(), prompts, cfg)) {
            Client admin = new Client(ts.url());
            admin.login("admin", TestServer.PASSWORD);
            long cid = ts.campaign.id();
            admin.postJson("/api/campaigns/" + cid + "/next", Map.of(), true);

            // A 1 MiB vote body.
            String huge = "{\"comparisonId\":\"" + "x".repeat(1 << 20) + "\",\"outcome\":\"left\"}";
            Client.Res vote = admin.postJson("/api/campaigns/" + cid + "/votes", huge, true);
            assertEquals(413, vote.status(), vote.body());
            assertEquals("request body of " + (huge.length()) + " bytes is over this server's limit of 16384 bytes",
                    vote.json().get("error").asText());

            // An upload four times the limit.
            byte[] file = ("{\"prompt\":\"" + "y".repeat(1 << 20) + "\",\"responses\":{\"a\":\"1\",\"b\":\"2\"}}\n").getBytes(StandardCharsets.UTF_8);
            String boundary = "----prefer" + System.nanoTime();
            byte[] body = multipart(boundary, Map.of("_csrf", admin.csrf, "name", "big"), "big.jsonl", file);
            Client.Res up = admin.send(admin.req("/admin/campaigns")
                    .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                    .header(PreferServer.CSRF_HEADER, admin.csrf)
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build());
            assertEquals(413, up.status(), up.body());
            // 256 KiB for the file plus 64 KiB for the other form fields
            assertTrue(up.body().replace("&#39;", "'").replace("&#x27;", "'")
                    .contains("request body of " + body.length + " bytes is over this server's upload limit of 327680 bytes"), up.body());

            // A chunked upload (no Content-Length) over the limit is refused as too large as well.
            Client.Res chunked = admin.send(admin.req("/admin/campaigns")
                    .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                    .header(PreferServer.CSRF_HEADER, admin.csrf)
                    .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(body))).build());
            assertEquals(413, chunked.status(), chunked.body());
            assertTrue(chunked.body().contains("upload limit of 327680 bytes"), chunked.body());
        }
    }
}
