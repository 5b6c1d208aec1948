package dev.prefer.serve;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * What a campaign asks and how it picks pairs; immutable and validated, stored as JSON with the campaign.
 *
 * @param question      the question shown above the two responses (default "Which response is better?")
 * @param attributes    optional per-response attribute ratings on an integer scale (e.g. helpfulness 1..5)
 * @param rationale     whether a free-text rationale is off, optional or required
 * @param render        how responses are shown: as plain text, or as Markdown sanitised to a safe HTML subset
 * @param policy        pair selection: {@code uniform} or {@code active}
 * @param mixing        for {@code active}: the share of uniform sampling mixed in, in (0, 1] (default 0.1)
 * @param minResponseMs votes faster than this (from issue to vote) are flagged as careless (default 1500)
 */
@JsonIgnoreProperties(ignoreUnknown = false)
public record CampaignSpec(String question, List<Attribute> attributes, Rationale rationale, Render render,
                           Policy policy, double mixing, long minResponseMs) {

    public enum Rationale { off, optional, required }

    public enum Render { text, markdown }

    public enum Policy { uniform, active }

    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_-]{0,31}");

    /** An attribute rated for each response on the integer scale min..max. */
    public record Attribute(String name, int min, int max) {
        public Attribute {
            Objects.requireNonNull(name, "attribute name");
            if (!NAME.matcher(name).matches()) {
                throw new IllegalArgumentException("attribute name '" + name + "' must match " + NAME.pattern());
            }
            if (min >= max || max - min > 20) throw new IllegalArgumentException("attribute '" + name + "' scale " + min + ".." + max + " must have 2..21 points");
        }

        /** Parses {@code name:min-max}, e.g. {@code helpfulness:1-5}. */
        public static Attribute parse(String s) {
            String[] p = s.split(":");
            String[] r = p.length == 2 ? p[1].split("-") : new String[0];
            if (p.length != 2 || r.length != 2) throw new IllegalArgumentException("attribute '" + s + "' must look like name:1-5");
            try {
                return new Attribute(p[0].strip(), Integer.parseInt(r[0].strip()), Integer.parseInt(r[1].strip()));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("attribute '" + s + "' must look like name:1-5");
            }
        }
    }

    public CampaignSpec {
        question = question == null || question.isBlank() ? "Which response is better?" : question.strip();
        if (question.length() > 500) throw new IllegalArgumentException("question longer than 500 characters");
        attributes = List.copyOf(attributes == null ? List.of() : attributes);
        if (attributes.size() > 8) throw new IllegalArgumentException("at most 8 attributes");
        var seen = new HashSet<String>();
        for (Attribute a : attributes) {
            if (!seen.add(a.name())) throw new IllegalArgumentException("attribute '" + a.name() + "' given twice");
        }
        rationale = rationale == null ? Rationale.off : rationale;
        render = render == null ? Render.text : render;
        policy = policy == null ? Policy.uniform : policy;
        if (!(mixing > 0 && mixing <= 1)) throw new IllegalArgumentException("mixing must be in (0, 1], got " + mixing);
        if (minResponseMs < 0) throw new IllegalArgumentException("min-response-ms must be >= 0");
    }

    public static CampaignSpec defaults() {
        return new CampaignSpec(null, List.of(), Rationale.off, Render.text, Policy.uniform, 0.1, 1500);
    }

    public CampaignSpec withPolicy(Policy p) {
        return new CampaignSpec(question, attributes, rationale, render, p, mixing, minResponseMs);
    }

    public CampaignSpec withRender(Render r) {
        return new CampaignSpec(question, attributes, rationale, r, policy, mixing, minResponseMs);
    }

    public CampaignSpec withAttributes(List<Attribute> a) {
        return new CampaignSpec(question, a, rationale, render, policy, mixing, minResponseMs);
    }

    public CampaignSpec withRationale(Rationale r) {
        return new CampaignSpec(question, attributes, r, render, policy, mixing, minResponseMs);
    }

    public CampaignSpec withMinResponseMs(long ms) {
        return new CampaignSpec(question, attributes, rationale, render, policy, mixing, ms);
    }
}
