package dev.prefer.ratings;

import dev.prefer.data.votes.Outcome;
import dev.prefer.data.votes.Vote;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Online Elo (Elo 1978), votes applied one by one in the given order. For a vote between a and b with ratings
 * R_a, R_b: E_a = 1 / (1 + base^((R_b − R_a)/scale)), E_b = 1 − E_a, and R_a += k·(S_a − E_a),
 * R_b += k·(S_b − E_b) with S = 1, 0 or ½ (tie). Both updates use the ratings from before the vote. The Chatbot
 * Arena's online Elo uses k = 4, base 10, scale 400, initial 1000 ({@link Options#ARENA}); evalica's {@code elo}
 * uses the same numbers. Vote weights are ignored (each vote is one game). Results depend on vote order.
 */
public final class OnlineElo {
    private OnlineElo() {}

    /**
     * @param k       update size (default 4)
     * @param base    odds base (default 10)
     * @param scale   rating points per factor of {@code base} in odds (default 400)
     * @param initial starting rating (default 1000)
     */
    public record Options(double k, double base, double scale, double initial) {
        public static final Options ARENA = new Options(4, 10, 400, 1000);

        public Options {
            if (!(k > 0) || !(base > 1) || !(scale > 0) || !Double.isFinite(initial)) throw new IllegalArgumentException("elo options must be k > 0, base > 1, scale > 0, finite initial");
        }
    }

    /** Item names (in order of first appearance) and their final ratings. */
    public record Result(List<String> items, double[] ratings) {
        public Result {
            items = List.copyOf(items);
            ratings = ratings.clone();
        }

        @Override public double[] ratings() { return ratings.clone(); }

        public double rating(String item) {
            int i = items.indexOf(item);
            if (i < 0) throw new IllegalArgumentException("unknown item '" + item + "'");
            return ratings[i];
        }
    }

    public static Result run(List<Vote> votes, Options o) {
        Map<String, Integer> idx = new HashMap<>();
        List<String> names = new ArrayList<>();
        for (Vote v : votes) {
            idx.computeIfAbsent(v.a(), s -> { names.add(s); return names.size() - 1; });
            idx.computeIfAbsent(v.b(), s -> { names.add(s); return names.size() - 1; });
        }
        double[] r = new double[names.size()];
        java.util.Arrays.fill(r, o.initial());
        for (Vote v : votes) {
            int a = idx.get(v.a()), b = idx.get(v.b());
            double ra = r[a], rb = r[b];
            double ea = 1 / (1 + Math.pow(o.base(), (rb - ra) / o.scale()));
            double eb = 1 / (1 + Math.pow(o.base(), (ra - rb) / o.scale()));
            double sa = v.outcome() == Outcome.A_WINS ? 1 : v.outcome() == Outcome.B_WINS ? 0 : 0.5;
            r[a] = ra + o.k() * (sa - ea);
            r[b] = rb + o.k() * ((1 - sa) - eb);
        }
        return new Result(names, r);
    }
}
