package dev.prefer.serve.web;

import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

class MarkdownTest {

    static void assertInert(String html) {
        Document d = Jsoup.parseBodyFragment(html);
        assertTrue(d.select("script, style, iframe, object, embed, img, svg, math, form, input, link, meta").isEmpty(), html);
        d.getAllElements().forEach(el -> el.attributes().forEach(a -> {
            assertFalse(a.getKey().toLowerCase().startsWith("on"), html);
            assertFalse(a.getValue().toLowerCase().replaceAll("\\s", "").contains("javascript:"), html);
            assertFalse(a.getValue().toLowerCase().contains("data:"), html);
        }));
    }

    @Test
    void keepsFormatting() {
        String h = Markdown.toSafeHtml("# Title\n\n**bold** *it* `code`\n\n- a\n- b\n\n```\nx < y\n```\n\n[site](https://example.org)");
        assertTrue(h.contains("<strong>bold</strong>"), h);
        assertTrue(h.contains("<em>it</em>"));
        assertTrue(h.contains("<code>code</code>"));
        assertTrue(h.contains("<li>a</li>"));
        assertTrue(h.contains("x &lt; y"));
        assertTrue(h.contains("href=\"https://example.org\""), h);
        assertTrue(h.contains("rel=\"nofollow noopener noreferrer\""), h);
        assertInert(h);
    }

    @Test
    void neutralisesActiveContent() {
        String[] attacks = {
                "<script>alert(1)</script>",
                "<img src=x onerror=alert(1)>",
                "<svg onload=alert(1)>",
                "[x](javascript:alert(1))",
                "[x](JaVaScRiPt:alert(1))",
                "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
                "![x](javascript:alert(1))",
                "<a href=\"javascript:alert(1)\">x</a>",
                "<iframe src=\"https://evil.example\"></iframe>",
                "<div style=\"background:url(javascript:alert(1))\">x</div>",
                "<details open ontoggle=alert(1)>",
                "<<script>script>alert(1)<</script>/script>",
                "<form action=https://evil.example><input name=p></form>",
        };
        for (String a : attacks) {
            String h = Markdown.toSafeHtml("text " + a + " more");
            assertInert(h);
        }
        // Raw HTML is shown as text, not dropped silently.
        assertTrue(Jsoup.parseBodyFragment(Markdown.toSafeHtml("<script>alert(1)</script>")).text().contains("<script>alert(1)</script>"));
    }
}
