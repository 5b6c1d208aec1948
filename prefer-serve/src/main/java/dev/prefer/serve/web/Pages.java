package dev.prefer.serve.web;

import dev.prefer.data.Json;
import dev.prefer.serve.CampaignSpec;
import dev.prefer.serve.LeaderboardView;
import dev.prefer.serve.Records.AuditEntry;
import dev.prefer.serve.Records.Campaign;
import dev.prefer.serve.Records.Exclusion;
import dev.prefer.serve.Records.User;
import dev.prefer.serve.Role;
import dev.prefer.serve.stats.CampaignStats;
import dev.prefer.serve.store.Store.Session;

import java.time.Instant;
import java.util.List;

import static dev.prefer.core.report.Html.esc;
import static dev.prefer.core.report.Html.num;

/** The server-rendered pages. Every dynamic value goes through {@link Html#esc}; no inline script anywhere. */
final class Pages {
    private Pages() {}

    private static String page(String title, Session s, String body) {
        StringBuilder b = new StringBuilder(4096);
        b.append("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
                .append("<title>").append(esc(title)).append(" · Prefer</title>")
                .append("<link rel=\"stylesheet\" href=\"/static/app.css\">");
        if (s != null) b.append("<meta name=\"csrf-token\" content=\"").append(esc(s.csrfToken())).append("\">");
        b.append("</head><body><header class=\"top\"><a class=\"brand\" href=\"/\">Prefer</a>");
        if (s != null) {
            b.append("<nav>");
            if (s.user().role() == Role.admin) b.append("<a href=\"/admin\">Admin</a>");
            b.append("<span class=\"who\">").append(esc(s.user().username())).append("</span>")
                    .append("<form method=\"post\" action=\"/logout\" class=\"inline\">").append(csrf(s))
                    .append("<button class=\"link\" type=\"submit\">Sign out</button></form></nav>");
        }
        b.append("</header><main>").append(body).append("</main></body></html>");
        return b.toString();
    }

    private static String csrf(Session s) {
        return "<input type=\"hidden\" name=\"_csrf\" value=\"" + esc(s.csrfToken()) + "\">";
    }

    static String error(int status, String message) {
        return page("Error", null, "<section class=\"card narrow\"><h1>" + status + "</h1><p id=\"error\">" + esc(message)
                + "</p><p><a href=\"/\">Back</a></p></section>");
    }

    static String login(String csrfToken, boolean failed) {
        return page("Sign in", null, "<section class=\"card narrow\"><h1>Sign in</h1>"
                + (failed ? "<p class=\"bad\" id=\"login-error\">Wrong username or password.</p>" : "")
                + "<form method=\"post\" action=\"/login\" id=\"login-form\">"
                + "<input type=\"hidden\" name=\"_csrf\" value=\"" + esc(csrfToken) + "\">"
                + "<label>Username <input name=\"username\" id=\"username\" autocomplete=\"username\" required maxlength=\"64\"></label>"
                + "<label>Password <input name=\"password\" id=\"password\" type=\"password\" autocomplete=\"current-password\" required maxlength=\"1024\"></label>"
                + "<button type=\"submit\" id=\"sign-in\">Sign in</button></form></section>");
    }

    static String home(Session s, List<Campaign> campaigns) {
        StringBuilder b = new StringBuilder("<section class=\"card\"><h1>Campaigns</h1>");
        if (campaigns.isEmpty()) b.append("<p>No campaigns yet.</p>");
        b.append("<ul class=\"campaigns\">");
        for (Campaign c : campaigns) {
            b.append("<li><a class=\"vote-link\" href=\"/vote/").append(c.id()).append("\">").append(esc(c.name())).append("</a></li>");
        }
        b.append("</ul></section>");
        return page("Campaigns", s, b.toString());
    }

    static String vote(Session s, Campaign c, long myVotes, int items) {
        CampaignSpec spec = c.spec();
        StringBuilder b = new StringBuilder();
        b.append("<div id=\"app\" data-campaign=\"").append(c.id()).append("\" data-render=\"").append(spec.render().name())
                .append("\" data-rationale=\"").append(spec.rationale().name()).append("\">");
        b.append("<div class=\"bar\"><h1>").append(esc(c.name())).append("</h1><span id=\"progress\" class=\"progress\">Your votes: <b id=\"vote-count\">")
                .append(myVotes).append("</b> · prompts in campaign: ").append(items).append("</span></div>");
        b.append("<div id=\"reveal\" class=\"reveal\" hidden></div>");
        b.append("<section class=\"card prompt\"><h2>Prompt</h2><div id=\"prompt\" class=\"content\"></div></section>");
        b.append("<p class=\"question\">").append(esc(spec.question())).append("</p>");
        b.append("<div class=\"pair\">");
        for (String side : List.of("left", "right")) {
            String label = side.equals("left") ? "A" : "B";
            b.append("<section class=\"card response\"><h2>Response ").append(label).append("</h2><div id=\"response-").append(side)
                    .append("\" class=\"content\"></div>");
            for (CampaignSpec.Attribute a : spec.attributes()) {
                b.append("<label class=\"attr\">").append(esc(a.name())).append(" <select data-attr=\"").append(esc(a.name()))
                        .append("\" data-side=\"").append(side).append("\"><option value=\"\">–</option>");
                for (int v = a.min(); v <= a.max(); v++) b.append("<option>").append(v).append("</option>");
                b.append("</select></label>");
            }
            b.append("</section>");
        }
        b.append("</div>");
        if (spec.rationale() != CampaignSpec.Rationale.off) {
            b.append("<label class=\"rationale\">Why? ").append(spec.rationale() == CampaignSpec.Rationale.required ? "(required)" : "(optional)")
                    .append("<textarea id=\"rationale\" maxlength=\"5000\" rows=\"2\"></textarea></label>");
        }
        b.append("<div class=\"buttons\">")
                .append("<button id=\"vote-left\" data-outcome=\"left\">A is better <kbd>A</kbd></button>")
                .append("<button id=\"vote-tie\" data-outcome=\"tie\">Tie <kbd>T</kbd></button>")
                .append("<button id=\"vote-both-bad\" data-outcome=\"both_bad\">Both bad <kbd>X</kbd></button>")
                .append("<button id=\"vote-right\" data-outcome=\"right\">B is better <kbd>B</kbd></button>")
                .append("</div><p id=\"status\" class=\"status\" role=\"status\"></p></div>")
                .append("<script src=\"/static/vote.js\"></script>");
        return page(c.name(), s, b.toString());
    }

    static String admin(Session s, List<Campaign> campaigns, List<User> users, List<AuditEntry> audit, String msg) {
        StringBuilder b = new StringBuilder();
        if (msg != null) b.append("<p class=\"ok\" id=\"msg\">").append(esc(msg)).append("</p>");
        b.append("<section class=\"card\"><h1>Campaigns</h1><table><tr><th>Name</th><th>Policy</th><th>Render</th><th>Created</th><th></th></tr>");
        for (Campaign c : campaigns) {
            b.append("<tr><td><a href=\"/admin/campaigns/").append(c.id()).append("\">").append(esc(c.name())).append("</a></td><td>")
                    .append(esc(c.spec().policy())).append("</td><td>").append(esc(c.spec().render())).append("</td><td>")
                    .append(esc(Instant.ofEpochMilli(c.createdAt()))).append("</td><td><a href=\"/vote/").append(c.id()).append("\">vote</a></td></tr>");
        }
        b.append("</table></section>");
        b.append("<section class=\"card\"><h2>New campaign</h2><form method=\"post\" action=\"/admin/campaigns\" enctype=\"multipart/form-data\" id=\"new-campaign\">")
                .append(csrf(s))
                .append("<label>Name <input name=\"name\" required maxlength=\"80\"></label>")
                .append("<label>Prompts (JSONL: {\"prompt\": …, \"responses\": {\"system\": …}}) <input type=\"file\" name=\"file\" required></label>")
                .append("<label>Question <input name=\"question\" placeholder=\"Which response is better?\" maxlength=\"500\"></label>")
                .append("<label>Attributes (e.g. helpfulness:1-5, verbosity:1-5) <input name=\"attributes\"></label>")
                .append("<label>Rationale <select name=\"rationale\"><option>off</option><option>optional</option><option>required</option></select></label>")
                .append("<label>Render responses as <select name=\"render\"><option>text</option><option>markdown</option></select></label>")
                .append("<label>Pair selection <select name=\"policy\"><option>uniform</option><option>active</option></select></label>")
                .append("<label>Uniform mixing (active) <input name=\"mixing\" value=\"0.1\"></label>")
                .append("<label>Minimum response time, ms <input name=\"min_response_ms\" value=\"1500\"></label>")
                .append("<button type=\"submit\">Create campaign</button></form></section>");
        b.append("<section class=\"card\"><h2>Users</h2><table><tr><th>User</th><th>Role</th></tr>");
        for (User u : users) b.append("<tr><td>").append(esc(u.username())).append("</td><td>").append(esc(u.role())).append("</td></tr>");
        b.append("</table><form method=\"post\" action=\"/admin/users\" id=\"new-user\" class=\"row\">").append(csrf(s))
                .append("<input name=\"username\" placeholder=\"username\" required maxlength=\"64\">")
                .append("<input name=\"password\" type=\"password\" placeholder=\"password (10+ characters)\" required minlength=\"10\" maxlength=\"1024\">")
                .append("<select name=\"role\"><option>annotator</option><option>admin</option></select>")
                .append("<button type=\"submit\">Create user</button></form></section>");
        b.append("<section class=\"card\"><h2>Audit log</h2><table><tr><th>When</th><th>User</th><th>Action</th><th>Detail</th></tr>");
        for (AuditEntry a : audit) {
            b.append("<tr><td>").append(esc(Instant.ofEpochMilli(a.at()))).append("</td><td>").append(esc(a.userId())).append("</td><td>")
                    .append(esc(a.action())).append("</td><td class=\"mono\">").append(esc(a.detailJson())).append("</td></tr>");
        }
        b.append("</table></section>");
        return page("Admin", s, b.toString());
    }

    static String campaign(Session s, Campaign c, CampaignStats st, LeaderboardView lb, List<Exclusion> exclusions, long allVotes) {
        StringBuilder b = new StringBuilder();
        b.append("<div class=\"bar\"><h1>").append(esc(c.name())).append("</h1><span>")
                .append(st.votes()).append(" votes counted (").append(allVotes - st.votes()).append(" excluded) · policy ")
                .append(esc(c.spec().policy())).append("</span></div>");
        b.append("<section class=\"card\"><h2>Leaderboard</h2><table id=\"leaderboard\"><tr><th>Rank</th><th>System</th><th>Rating</th><th>95% interval</th><th>Votes</th></tr>");
        for (LeaderboardView.Row r : lb.rows()) {
            b.append("<tr><td>").append(r.rank()).append("</td><td class=\"system\">").append(esc(r.system())).append("</td><td>")
                    .append(num(r.rating(), 0)).append("</td><td>").append(num(r.lo(), 0)).append(" – ").append(num(r.hi(), 0))
                    .append("</td><td>").append(r.votes()).append("</td></tr>");
        }
        b.append("</table><p class=\"note\">").append(esc(lb.method())).append("</p></section>");

        b.append("<section class=\"card\"><h2>Win rate (row beats column; ties count ½)</h2><table id=\"winrate\" class=\"matrix\"><tr><th></th>");
        for (String sys : st.systems()) b.append("<th>").append(esc(sys)).append("</th>");
        b.append("</tr>");
        for (int i = 0; i < st.systems().size(); i++) {
            b.append("<tr><th>").append(esc(st.systems().get(i))).append("</th>");
            for (int j = 0; j < st.systems().size(); j++) {
                double w = st.winRate()[i][j];
                String cls = !Double.isFinite(w) ? "" : w > 0.5 ? " class=\"win\"" : w < 0.5 ? " class=\"loss\"" : "";
                b.append("<td").append(cls).append(" title=\"").append(st.pairVotes()[i][j]).append(" votes\">")
                        .append(i == j ? "" : num(w, 2)).append("</td>");
            }
            b.append("</tr>");
        }
        b.append("</table></section>");

        b.append("<section class=\"card\"><h2>Position bias</h2><p id=\"position-bias\">Left response won ")
                .append(st.leftWins()).append(" of ").append(st.decisive()).append(" decisive votes (")
                .append(num(100 * st.leftWinShare(), 1)).append("%, 95% interval ").append(num(100 * st.leftWinLow(), 1)).append("–")
                .append(num(100 * st.leftWinHigh(), 1)).append("%). With randomised sides, 50% means no bias.</p></section>");

        b.append("<section class=\"card\"><h2>Annotators</h2><table id=\"annotators\"><tr><th>Annotator</th><th>Votes</th><th>Median time (s)</th>")
                .append("<th>Votes/min</th><th>Gold</th><th>Too fast</th><th>Agrees with others</th><th>Flag</th></tr>");
        for (var a : st.annotators()) {
            b.append("<tr><td>").append(esc(a.username())).append("</td><td>").append(a.votes()).append("</td><td>")
                    .append(num(a.medianResponseMs() / 1000, 1)).append("</td><td>").append(num(a.votesPerMinute(), 1)).append("</td><td>")
                    .append(a.goldScored() == 0 ? "–" : num(100 * a.goldAccuracy(), 0) + "% of " + a.goldScored()).append("</td><td>")
                    .append(num(100 * a.fastShare(), 0)).append("%</td><td>")
                    .append(a.consensusUnits() == 0 ? "–" : num(100 * a.consensusAgreement(), 0) + "% of " + a.consensusUnits()).append("</td><td>")
                    .append(a.flagged() ? "<span class=\"bad\">careless?</span>" : "").append("</td></tr>");
        }
        b.append("</table><p>Krippendorff's alpha (nominal) over ").append(st.unitsWithOverlap())
                .append(" prompt-pairs judged by two or more annotators: <b id=\"alpha\">").append(num(st.krippendorffAlpha(), 3)).append("</b></p>");
        if (!st.pairAgreements().isEmpty()) {
            b.append("<details><summary>Cohen's kappa between annotators</summary><table><tr><th>A</th><th>B</th><th>Shared</th><th>κ</th></tr>");
            for (var p : st.pairAgreements()) {
                b.append("<tr><td>").append(esc(p.a())).append("</td><td>").append(esc(p.b())).append("</td><td>").append(p.sharedUnits())
                        .append("</td><td>").append(num(p.kappa(), 3)).append("</td></tr>");
            }
            b.append("</table></details>");
        }
        b.append("</section>");

        b.append("<section class=\"card\"><h2>Export</h2><p class=\"exports\">");
        for (String f : List.of("trl", "kto", "ranked", "arena")) {
            b.append("<a id=\"export-").append(f).append("\" href=\"/admin/campaigns/").append(c.id()).append("/export/").append(f).append("\">")
                    .append(f).append("</a> ");
        }
        b.append("</p></section>");

        b.append("<section class=\"card\"><h2>Exclusions</h2><table><tr><th>Vote</th><th>User</th><th>Reason</th><th>When</th></tr>");
        for (Exclusion e : exclusions) {
            b.append("<tr><td>").append(esc(e.voteId())).append("</td><td>").append(esc(e.userId())).append("</td><td>").append(esc(e.reason()))
                    .append("</td><td>").append(esc(Instant.ofEpochMilli(e.createdAt()))).append("</td></tr>");
        }
        b.append("</table><form method=\"post\" action=\"/admin/campaigns/").append(c.id()).append("/exclusions\" class=\"row\">").append(csrf(s))
                .append("<input name=\"vote_id\" placeholder=\"vote id\"><input name=\"username\" placeholder=\"or annotator\">")
                .append("<input name=\"reason\" placeholder=\"reason\" required maxlength=\"500\"><button type=\"submit\">Exclude</button></form></section>");
        b.append("<p class=\"note mono\">spec ").append(esc(Json.line(c.spec()))).append("</p>");
        return page(c.name() + " results", s, b.toString());
    }
}
