package dev.prefer.serve;

import dev.prefer.data.votes.Outcome;

import dev.prefer.data.Json;
import dev.prefer.serve.Records.Vote;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Drives the real UI in headless Chromium (Debian's chromium + chromium-driver; no browser download): the admin
 * signs in and creates a campaign by uploading JSONL; an annotator signs in, votes by clicking and by keyboard,
 * sees the reveal and the progress; model output with script stays inert; the admin opens the leaderboard and
 * downloads an export. Screenshots of the voting page and the leaderboard go to target/e2e/.
 */
class BrowserEndToEndTest {

    @TempDir
    Path tmp;

    static List<String> backends() {
        return TestDatabases.backends();
    }

    static final String CHROMIUM = "/usr/bin/chromium";
    static final String CHROMEDRIVER = "/usr/bin/chromedriver";

    static WebDriver browser(Path profile) {
        assertTrue(new File(CHROMIUM).canExecute(), CHROMIUM + " missing: install Debian's chromium (.ci/run does)");
        assertTrue(new File(CHROMEDRIVER).canExecute(), CHROMEDRIVER + " missing: install Debian's chromium-driver (.ci/run does)");
        ChromeOptions o = new ChromeOptions();
        o.setBinary(CHROMIUM);
        o.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--window-size=1280,1000", "--user-data-dir=" + profile.toAbsolutePath());
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(new File(CHROMEDRIVER))
                .usingAnyFreePort().build();
        return new ChromeDriver(service, o);
    }

    static void signIn(WebDriver d, String base, String user) {
        d.get(base + "/login");
        d.findElement(By.id("username")).sendKeys(user);
        d.findElement(By.id("password")).sendKeys(TestServer.PASSWORD);
        d.findElement(By.id("sign-in")).click();
        try {
            new WebDriverWait(d, Duration.ofSeconds(30)).until(drv -> !drv.getCurrentUrl().endsWith("/login"));
        } catch (org.openqa.selenium.TimeoutException e) {
            throw new AssertionError("sign-in as " + user + " failed; page: " + d.getPageSource(), e);
        }
    }

    static void shot(WebDriver d, String name) throws Exception {
        Path dir = Path.of("target", "e2e");
        Files.createDirectories(dir);
        Files.write(dir.resolve(name), ((TakesScreenshot) d).getScreenshotAs(OutputType.BYTES));
    }

    @ParameterizedTest
    @MethodSource("backends")
    void signInVoteRevealLeaderboardExport(String backend) throws Exception {
        // Prompts with Markdown and hostile HTML in the responses.
        List<String> lines = new ArrayList<>();
        String[] systems = {"model-alpha", "model-beta", "model-gamma"};
        for (int i = 0; i < 5; i++) {
            Map<String, Object> responses = new java.util.LinkedHashMap<>();
            responses.put("model-alpha", "**Answer from model-alpha** to prompt " + i + ".\n\n- it is *concise*\n- it cites `code`");
            responses.put("model-beta", "Answer from model-beta to prompt " + i + ". <script>window.__pwned = 1</script>"
                    + "<img src=x onerror=\"window.__pwned = 2\">");
            responses.put("model-gamma", "Answer from model-gamma to prompt " + i + ". [click](javascript:window.__pwned=3)");
            lines.add(Json.line(Map.of("prompt", "Prompt " + i + ": explain **recursion** to a child.", "responses", responses, "source", "e2e")));
        }
        Path prompts = tmp.resolve("e2e.jsonl");
        Files.write(prompts, lines);
        Path placeholder = TestServer.prompts(tmp, 1, List.of("s1", "s2"), "", 9);

        try (TestServer ts = new TestServer(backend, tmp, 1, CampaignSpec.defaults(), placeholder, TestServer.roomy())) {
            // "localhost", as docs/serve.md tells users (Chromium keeps Secure cookies over plain http for loopback).
            String base = ts.url().replace("127.0.0.1", "localhost");
            WebDriver d = browser(Files.createDirectories(tmp.resolve("profile-" + backend)));
            try {
                WebDriverWait wait = new WebDriverWait(d, Duration.ofSeconds(60));
                // Admin creates the campaign through the upload form.
                signIn(d, base, "admin");
                wait.until(ExpectedConditions.urlContains("/admin"));
                WebElement form = d.findElement(By.id("new-campaign"));
                form.findElement(By.name("name")).sendKeys("e2e-" + backend);
                form.findElement(By.name("file")).sendKeys(prompts.toAbsolutePath().toString());
                form.findElement(By.name("attributes")).sendKeys("helpfulness:1-5");
                new org.openqa.selenium.support.ui.Select(form.findElement(By.name("render"))).selectByVisibleText("markdown");
                new org.openqa.selenium.support.ui.Select(form.findElement(By.name("policy"))).selectByVisibleText("active");
                form.findElement(By.cssSelector("button[type=submit]")).click();
                wait.until(ExpectedConditions.presenceOfElementLocated(By.id("leaderboard")));
                long cid = Long.parseLong(d.getCurrentUrl().replaceAll(".*/admin/campaigns/(\\d+).*", "$1"));
                assertEquals(5, ts.store.items(cid).size());
                d.findElement(By.cssSelector("header form button")).click();
                wait.until(ExpectedConditions.urlContains("/login"));

                // Annotator votes.
                signIn(d, base, "ann1");
                wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("a.vote-link")));
                d.get(base + "/vote/" + cid);
                By left = By.id("response-left");
                wait.until(ExpectedConditions.textMatches(left, java.util.regex.Pattern.compile("Answer from")));
                JavascriptExecutor js = (JavascriptExecutor) d;
                int votes = 6;
                for (int i = 0; i < votes; i++) {
                    String before = (String) js.executeScript("return document.getElementById('app').dataset.comparison;");
                    String shownLeft = d.findElement(left).getText();
                    if (i % 3 == 0) {
                        d.findElement(By.id("vote-left")).click();
                    } else if (i % 3 == 1) {
                        d.findElement(By.tagName("body")).sendKeys("b");
                    } else {
                        new org.openqa.selenium.support.ui.Select(d.findElement(By.cssSelector("select[data-attr=helpfulness][data-side=left]"))).selectByVisibleText("4");
                        d.findElement(By.id("vote-tie")).click();
                    }
                    final int expected = i + 1;
                    wait.until(ExpectedConditions.textToBe(By.id("vote-count"), Integer.toString(expected)));
                    wait.until(drv -> !before.equals(js.executeScript("return document.getElementById('app').dataset.comparison;")));
                    String reveal = d.findElement(By.id("reveal")).getText();
                    assertTrue(reveal.matches("You chose .*\\. A was model-\\w+, B was model-\\w+\\."), reveal);
                    // The reveal names the system whose text was on the left.
                    String revealedLeft = reveal.replaceAll(".*A was (model-\\w+),.*", "$1");
                    assertTrue(shownLeft.contains("Answer from " + revealedLeft), shownLeft + " / " + reveal);
                }
                // Hostile output rendered inert: no script ran, no script/img element, no javascript: link.
                assertNull(js.executeScript("return window.__pwned === undefined ? null : window.__pwned;"));
                assertEquals(0L, js.executeScript("return document.querySelectorAll('.content script, .content img, .content a[href^=javascript]').length;"));
                shot(d, "vote-" + backend + ".png");

                List<Vote> stored = ts.store.votes(cid);
                assertEquals(votes, stored.size());
                assertEquals(Outcome.A_WINS, stored.get(0).outcome());
                assertEquals(Outcome.B_WINS, stored.get(1).outcome());
                assertEquals(Outcome.TIE, stored.get(2).outcome());
                assertEquals(4, stored.get(2).attributes().get("helpfulness").get(stored.get(2).leftSystem()));
                assertTrue(stored.stream().allMatch(v -> v.probability() > 0 && v.probability() <= 1));

                // The annotator cannot open the results.
                d.get(base + "/admin/campaigns/" + cid);
                assertTrue(d.findElement(By.id("error")).getText().contains("admins only"));
                d.get(base + "/");
                d.findElement(By.cssSelector("header form button")).click();
                wait.until(ExpectedConditions.urlContains("/login"));

                // Admin: leaderboard and export.
                signIn(d, base, "admin");
                wait.until(ExpectedConditions.urlContains("/admin"));
                d.get(base + "/admin/campaigns/" + cid);
                WebElement lb;
                try {
                    lb = wait.until(ExpectedConditions.presenceOfElementLocated(By.id("leaderboard")));
                } catch (org.openqa.selenium.TimeoutException e) { // seen once in CI (12-07): say what the page was
                    throw new AssertionError("no #leaderboard at " + d.getCurrentUrl() + "; page text: "
                            + d.findElement(By.tagName("body")).getText(), e);
                }
                List<WebElement> rows = lb.findElements(By.cssSelector("tr td.system"));
                assertEquals(3, rows.size(), lb.getText());
                assertTrue(d.findElement(By.id("position-bias")).getText().contains("decisive votes"));
                assertTrue(d.findElement(By.id("annotators")).getText().contains("ann1"));
                shot(d, "leaderboard-" + backend + ".png");
                String href = d.findElement(By.id("export-trl")).getAttribute("href");
                Object text = js.executeAsyncScript("const done = arguments[arguments.length - 1];"
                        + "fetch(arguments[0], {credentials: 'same-origin'}).then(r => r.text()).then(done, e => done('ERR ' + e));", href);
                List<String> exported = ((String) text).lines().filter(l -> !l.isBlank()).toList();
                long decisive = stored.stream().filter(v -> v.winner() != null).count();
                assertEquals(decisive, exported.size(), (String) text);
                for (String row : exported) {
                    var j = Json.MAPPER.readTree(row);
                    assertTrue(j.get("chosen").asText().contains("Answer from " + j.get("chosen_system").asText()));
                    assertTrue(j.get("rejected").asText().contains("Answer from " + j.get("rejected_system").asText()));
                    assertEquals("ann1", j.get("annotator").asText());
                }
            } finally {
                d.quit();
            }
        }
    }
}
