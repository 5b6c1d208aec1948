package dev.prefer.serve;

import dev.prefer.data.votes.Outcome;

import dev.prefer.serve.Records.Campaign;
import dev.prefer.serve.Records.Comparison;
import dev.prefer.serve.Records.Item;
import dev.prefer.serve.Records.Vote;
import dev.prefer.serve.select.ActivePolicy;
import dev.prefer.serve.select.Draw;
import dev.prefer.serve.select.PairCounts;
import dev.prefer.serve.select.PairPolicy;
import dev.prefer.serve.select.UniformPolicy;
import dev.prefer.serve.store.Store;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.random.RandomGenerator;

/**
 * The voting flow over the store: issues comparisons (pair by the campaign's policy, prompt uniformly among those
 * both systems answered, left/right by a fair coin) and casts votes on them. Per campaign it keeps the items and
 * the per-pair vote counts in memory, loaded from the database on first use and updated after each committed vote.
 */
public final class VotingService {

    /** A campaign's in-memory state. */
    static final class Live {
        final Campaign campaign;
        final List<Item> items;
        final Map<Long, Item> byId = new java.util.HashMap<>();
        final PairCounts counts;
        final List<List<Integer>> itemsOfPair = new ArrayList<>();
        final PairPolicy policy;

        Live(Campaign campaign, List<Item> items, List<Vote> votes) {
            this.campaign = campaign;
            this.items = items;
            TreeSet<String> all = new TreeSet<>();
            for (Item it : items) {
                all.addAll(it.responses().keySet());
                byId.put(it.id(), it);
            }
            List<String> systems = List.copyOf(all);
            Map<String, Integer> index = new java.util.HashMap<>();
            for (int i = 0; i < systems.size(); i++) index.put(systems.get(i), i);
            Map<Long, List<Integer>> byPair = new java.util.TreeMap<>();
            for (int k = 0; k < items.size(); k++) {
                List<Integer> s = items.get(k).responses().keySet().stream().map(index::get).sorted().toList();
                for (int x = 0; x < s.size(); x++) {
                    for (int y = x + 1; y < s.size(); y++) {
                        byPair.computeIfAbsent((long) s.get(x) * systems.size() + s.get(y), key -> new ArrayList<>()).add(k);
                    }
                }
            }
            List<int[]> pairs = new ArrayList<>();
            for (var e : byPair.entrySet()) {
                pairs.add(new int[] {(int) (e.getKey() / systems.size()), (int) (e.getKey() % systems.size())});
                itemsOfPair.add(e.getValue());
            }
            counts = new PairCounts(systems, pairs);
            policy = campaign.spec().policy() == CampaignSpec.Policy.active
                    ? new ActivePolicy(campaign.spec().mixing()) : new UniformPolicy();
            for (Vote v : votes) record(v);
        }

        void record(Vote v) {
            Integer a = counts.systems().indexOf(v.leftSystem());
            Integer b = counts.systems().indexOf(v.rightSystem());
            int p = counts.pairIndex(a, b);
            if (p < 0) return;
            double leftScore = switch (v.outcome()) {
                case A_WINS -> 1.0;
                case B_WINS -> 0.0;
                default -> 0.5;
            };
            counts.record(p, a < b ? leftScore : 1 - leftScore);
        }
    }

    private final Store store;
    private final RandomGenerator rng;
    private final ConcurrentHashMap<Long, Live> live = new ConcurrentHashMap<>();

    public VotingService(Store store) {
        this(store, new SecureRandom());
    }

    /** With a given random source (tests pass a seeded one). */
    public VotingService(Store store, RandomGenerator rng) {
        this.store = store;
        this.rng = rng;
    }

    public Store store() { return store; }

    Live live(long campaignId) {
        return live.computeIfAbsent(campaignId, id -> {
            Campaign c = store.campaign(id).orElseThrow(() -> new IllegalArgumentException("no campaign " + id));
            return new Live(c, store.items(id), store.votes(id));
        });
    }

    public Campaign campaign(long campaignId) {
        return live(campaignId).campaign;
    }

    public Item item(long campaignId, long itemId) {
        return live(campaignId).byId.get(itemId);
    }

    public int itemCount(long campaignId) {
        return live(campaignId).items.size();
    }

    /** Issues the next comparison for a user. */
    public Comparison next(long campaignId, long userId) {
        Comparison c = draw(campaignId, userId);
        return store.issue(c.campaignId(), c.userId(), c.itemId(), c.leftSystem(), c.rightSystem(), c.probability(), c.policy());
    }

    /** Draws the next comparison for a user without storing it. */
    Comparison draw(long campaignId, long userId) {
        Live l = live(campaignId);
        var snap = l.counts.snapshot();
        double[] p = l.policy.probabilities(snap);
        int a;
        Item item;
        boolean swap;
        synchronized (rng) {
            a = Draw.index(p, rng);
            List<Integer> candidates = l.itemsOfPair.get(a);
            item = l.items.get(candidates.get(rng.nextInt(candidates.size())));
            swap = rng.nextBoolean();
        }
        String s1 = snap.systems().get(snap.first()[a]);
        String s2 = snap.systems().get(snap.second()[a]);
        return Store.newComparison(campaignId, userId, item.id(), swap ? s2 : s1, swap ? s1 : s2, p[a], l.policy.name());
    }

    /**
     * Casts a vote; attribute ratings arrive by side and are stored by system name. Input is validated against
     * the campaign's spec (attribute names and scales, rationale length and whether it is required).
     */
    public Store.CastResult vote(long campaignId, String comparisonId, long userId, Outcome outcome,
                                 Map<String, Map<String, Integer>> attributesBySide, String rationale) {
        return vote(campaignId, comparisonId, userId, outcome, attributesBySide, rationale, false);
    }

    /**
     * Casts a vote and, with {@code issueNext}, issues the user's next comparison in the same transaction
     * ({@link Store.CastResult#next()}).
     */
    public Store.CastResult vote(long campaignId, String comparisonId, long userId, Outcome outcome,
                                 Map<String, Map<String, Integer>> attributesBySide, String rationale, boolean issueNext) {
        Live l = live(campaignId);
        CampaignSpec spec = l.campaign.spec();
        if (rationale != null && rationale.isBlank()) rationale = null;
        if (rationale != null && rationale.length() > 5000) throw new IllegalArgumentException("rationale longer than 5000 characters");
        if (spec.rationale() == CampaignSpec.Rationale.off) rationale = null;
        if (spec.rationale() == CampaignSpec.Rationale.required && rationale == null) throw new IllegalArgumentException("a rationale is required");
        Map<String, Map<String, Integer>> bySide = attributesBySide == null ? Map.of() : attributesBySide;
        for (String name : bySide.keySet()) {
            if (spec.attributes().stream().noneMatch(x -> x.name().equals(name))) throw new IllegalArgumentException("unknown attribute '" + name + "'");
        }
        for (CampaignSpec.Attribute at : spec.attributes()) {
            Map<String, Integer> r = bySide.get(at.name());
            if (r == null) continue;
            for (var e : r.entrySet()) {
                if (!e.getKey().equals("left") && !e.getKey().equals("right")) throw new IllegalArgumentException("attribute side must be left or right");
                if (e.getValue() == null || e.getValue() < at.min() || e.getValue() > at.max()) {
                    throw new IllegalArgumentException("attribute '" + at.name() + "' must be in " + at.min() + ".." + at.max());
                }
            }
        }
        Comparison next = issueNext ? draw(campaignId, userId) : null;
        Store.CastResult res = store.castVote(comparisonId, campaignId, userId, outcome, bySide, rationale, next);
        if (res.vote() != null) l.record(res.vote());
        return res;
    }
}
