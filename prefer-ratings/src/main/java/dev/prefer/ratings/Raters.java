package dev.prefer.ratings;

import dev.prefer.data.votes.Vote;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/** The registry of {@link Rater}s: the only place model names are looked up. */
public final class Raters {
    private Raters() {}

    /** Every model name. */
    public static final List<String> MODELS = List.of("bt", "thurstone", "davidson", "rao-kupper", "pl", "elo", "trueskill", "contextual", "mixture", "style");

    /** The rater of a model name (see {@link #MODELS}). */
    public static Rater of(String model) {
        return switch (model.toLowerCase(Locale.ROOT)) {
            case "bt", "bradley-terry" -> new PairwiseRater(BradleyTerryModel.INSTANCE, "bt");
            case "pl" -> new PairwiseRater(BradleyTerryModel.INSTANCE, "pl"); // pairwise votes as 2-item rankings: PL is BT
            case "thurstone", "probit" -> new PairwiseRater(ThurstoneModel.INSTANCE, "thurstone");
            case "davidson" -> new PairwiseRater(DavidsonModel.INSTANCE, "davidson");
            case "rao-kupper", "raokupper" -> new PairwiseRater(RaoKupperModel.INSTANCE, "rao-kupper");
            case "elo" -> OnlineRater.ELO;
            case "trueskill" -> OnlineRater.TRUESKILL;
            case "contextual" -> new ContextualRater();
            case "mixture" -> new MixtureRater();
            case "style" -> new StyleRater();
            default -> throw new IllegalArgumentException("unknown model '" + model + "' (" + String.join(", ", MODELS) + ")");
        };
    }

    /**
     * The votes in timestamp order (stable: equal times keep their given order). Timestamps are epoch seconds
     * (a number) or ISO-8601 (instant, offset date-time, local date-time taken as UTC, or a date); a vote without
     * one, or with one that is neither, is an error naming its file and line.
     */
    public static List<Vote> inTimeOrder(List<Vote> votes) {
        record Timed(Vote v, double t, int k) {}
        List<Timed> ts = new ArrayList<>(votes.size());
        for (int k = 0; k < votes.size(); k++) {
            Vote v = votes.get(k);
            ts.add(new Timed(v, seconds(v), k));
        }
        ts.sort(Comparator.comparingDouble(Timed::t).thenComparingInt(Timed::k));
        List<Vote> out = new ArrayList<>(votes.size());
        for (Timed t : ts) out.add(t.v());
        return out;
    }

    /** A vote's timestamp in epoch seconds. */
    static double seconds(Vote v) {
        String s = v.timestamp();
        if (s == null || s.isBlank()) throw new IllegalArgumentException(v.source() + ": field 'timestamp': missing (needed to order votes by time)");
        s = s.strip();
        try {
            double x = Double.parseDouble(s);
            if (Double.isFinite(x)) return x;
        } catch (NumberFormatException e) {
            // not a number: try ISO-8601
        }
        try {
            return epoch(Instant.parse(s));
        } catch (DateTimeParseException e1) {
            try {
                return epoch(OffsetDateTime.parse(s).toInstant());
            } catch (DateTimeParseException e2) {
                try {
                    return epoch(LocalDateTime.parse(s).toInstant(ZoneOffset.UTC));
                } catch (DateTimeParseException e3) {
                    try {
                        return epoch(LocalDate.parse(s).atStartOfDay().toInstant(ZoneOffset.UTC));
                    } catch (DateTimeParseException e4) {
                        throw new IllegalArgumentException(v.source() + ": field 'timestamp': '" + s + "' is neither epoch seconds nor ISO-8601");
                    }
                }
            }
        }
    }

    private static double epoch(Instant i) {
        return i.getEpochSecond() + i.getNano() * 1e-9;
    }
}
