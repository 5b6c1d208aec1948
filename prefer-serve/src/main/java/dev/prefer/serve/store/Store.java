package dev.prefer.serve.store;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.prefer.data.Json;
import dev.prefer.serve.CampaignSpec;
import dev.prefer.data.votes.Outcome;
import dev.prefer.serve.Records.AuditEntry;
import dev.prefer.serve.Records.Campaign;
import dev.prefer.serve.Records.Comparison;
import dev.prefer.serve.Records.Exclusion;
import dev.prefer.serve.Records.Item;
import dev.prefer.serve.Records.User;
import dev.prefer.serve.Records.Vote;
import dev.prefer.serve.Role;
import dev.prefer.serve.security.Passwords;
import dev.prefer.serve.security.Tokens;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Every read and write the app makes, as parameterised SQL only. Each public write is one transaction.
 */
public final class Store {

    private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {};
    private static final TypeReference<Map<String, Map<String, Integer>>> ATTRS = new TypeReference<>() {};

    private final Database db;
    private final Passwords.Params kdf;
    private final String dummyHash;

    public Store(Database db) {
        this(db, Passwords.Params.DEFAULT);
    }

    /** With explicit Argon2id costs for new hashes (existing hashes keep their own, stored with them). */
    public Store(Database db, Passwords.Params kdf) {
        this.db = db;
        this.kdf = kdf;
        this.dummyHash = Passwords.hash("not-a-real-password-0".toCharArray(), kdf);
    }

    public Database database() { return db; }

    // ---------------------------------------------------------------- users

    /** Creates a user; the password is checked against the policy and hashed with Argon2id. */
    public User createUser(String username, char[] password, Role role, Long byUserId) {
        checkUsername(username);
        Passwords.checkNew(password);
        String hash = Passwords.hash(password, kdf);
        long now = System.currentTimeMillis();
        return db.write(c -> {
            if (findUser(c, username).isPresent()) throw new IllegalArgumentException("user '" + username + "' already exists");
            long id = insert(c, "INSERT INTO users (username, password_hash, role, created_at) VALUES (?, ?, ?, ?)",
                    username, hash, role.name(), now);
            audit(c, byUserId, "create-user", Map.of("username", username, "role", role.name()));
            return new User(id, username, role, now);
        });
    }

    public static void checkUsername(String username) {
        if (username == null || !username.matches("[A-Za-z0-9][A-Za-z0-9._@-]{0,63}")) {
            throw new IllegalArgumentException("username must be 1-64 characters of letters, digits, . _ @ - (starting with a letter or digit)");
        }
    }

    /** The user when the password matches, else empty. Runs the KDF even for unknown users (no timing oracle). */
    public Optional<User> authenticate(String username, char[] password) {
        var row = db.read(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT id, username, role, created_at, password_hash FROM users WHERE username = ?")) {
                ps.setString(1, username);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) return null;
                    return Map.entry(user(rs), rs.getString(5));
                }
            }
        });
        if (row == null) {
            Passwords.verify(password, dummyHash);
            return Optional.empty();
        }
        return Passwords.verify(password, row.getValue()) ? Optional.of(row.getKey()) : Optional.empty();
    }

    public Optional<User> user(long id) {
        return db.read(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT id, username, role, created_at FROM users WHERE id = ?")) {
                ps.setLong(1, id);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(user(rs)) : Optional.empty();
                }
            }
        });
    }

    public List<User> users() {
        return db.read(c -> {
            List<User> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT id, username, role, created_at FROM users ORDER BY id");
                 ResultSet rs = ps.executeQuery()) {
                while (rs.next()) out.add(user(rs));
            }
            return out;
        });
    }

    public long countAdmins() {
        return db.read(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM users WHERE role = ?")) {
                ps.setString(1, Role.admin.name());
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return rs.getLong(1);
                }
            }
        });
    }

    private static Optional<User> findUser(Connection c, String username) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT id, username, role, created_at FROM users WHERE username = ?")) {
            ps.setString(1, username);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(user(rs)) : Optional.empty();
            }
        }
    }

    private static User user(ResultSet rs) throws SQLException {
        return new User(rs.getLong(1), rs.getString(2), Role.valueOf(rs.getString(3)), rs.getLong(4));
    }

    // ---------------------------------------------------------------- sessions

    /** A live session: who, their role, and the CSRF token every state-changing request must carry. */
    public record Session(String tokenHash, User user, String csrfToken, long expiresAt) {}

    /** Starts a session; returns the raw token (for the cookie) and the stored session. */
    public Map.Entry<String, Session> createSession(User user, long ttlMillis) {
        String token = Tokens.random();
        String csrf = Tokens.random();
        long now = System.currentTimeMillis();
        Session s = new Session(Tokens.digest(token), user, csrf, now + ttlMillis);
        db.write(c -> {
            try (PreparedStatement del = c.prepareStatement("DELETE FROM sessions WHERE expires_at < ?")) {
                del.setLong(1, now);
                del.executeUpdate();
            }
            insertNoKey(c, "INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, expires_at) VALUES (?, ?, ?, ?, ?)",
                    s.tokenHash(), user.id(), csrf, now, s.expiresAt());
            return null;
        });
        return Map.entry(token, s);
    }

    public Optional<Session> session(String tokenHash) {
        return db.read(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT u.id, u.username, u.role, u.created_at, s.csrf_token, s.expires_at FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = ?")) {
                ps.setString(1, tokenHash);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) return Optional.empty();
                    return Optional.of(new Session(tokenHash, user(rs), rs.getString(5), rs.getLong(6)));
                }
            }
        });
    }

    public void deleteSession(String tokenHash) {
        db.write(c -> {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM sessions WHERE token_hash = ?")) {
                ps.setString(1, tokenHash);
                ps.executeUpdate();
            }
            return null;
        });
    }

    // ---------------------------------------------------------------- campaigns

    /** Creates a campaign with its items in one transaction. */
    public Campaign createCampaign(String name, CampaignSpec spec, List<Item> items, String sourceSha256, Long byUserId) {
        if (name == null || !name.matches("[A-Za-z0-9][A-Za-z0-9 ._-]{0,79}")) {
            throw new IllegalArgumentException("campaign name must be 1-80 characters of letters, digits, space . _ -");
        }
        long now = System.currentTimeMillis();
        String specJson = Json.line(spec);
        return db.write(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM campaigns WHERE name = ?")) {
                ps.setString(1, name);
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) throw new IllegalArgumentException("campaign '" + name + "' already exists");
                }
            }
            long id = insert(c, "INSERT INTO campaigns (name, spec_json, source_sha256, created_by, created_at) VALUES (?, ?, ?, ?, ?)",
                    name, specJson, sourceSha256, byUserId, now);
            try (PreparedStatement pi = c.prepareStatement(
                    "INSERT INTO items (campaign_id, line_no, prompt, metadata_json, gold) VALUES (?, ?, ?, ?, ?)", Statement.RETURN_GENERATED_KEYS);
                 PreparedStatement pr = c.prepareStatement("INSERT INTO responses (item_id, system, body) VALUES (?, ?, ?)")) {
                for (Item it : items) {
                    pi.setLong(1, id);
                    pi.setInt(2, it.lineNo());
                    pi.setString(3, it.prompt());
                    pi.setString(4, Json.line(it.metadata()));
                    pi.setString(5, it.gold());
                    pi.executeUpdate();
                    long itemId;
                    try (ResultSet k = pi.getGeneratedKeys()) {
                        k.next();
                        itemId = k.getLong(1);
                    }
                    for (var r : it.responses().entrySet()) {
                        pr.setLong(1, itemId);
                        pr.setString(2, r.getKey());
                        pr.setString(3, r.getValue());
                        pr.addBatch();
                    }
                    pr.executeBatch();
                }
            }
            audit(c, byUserId, "create-campaign", Map.of("campaign", id, "name", name, "items", items.size(),
                    "source_sha256", sourceSha256, "spec", spec));
            return new Campaign(id, name, spec, sourceSha256, now);
        });
    }

    public List<Campaign> campaigns() {
        return db.read(c -> {
            List<Campaign> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT id, name, spec_json, source_sha256, created_at FROM campaigns ORDER BY id");
                 ResultSet rs = ps.executeQuery()) {
                while (rs.next()) out.add(campaign(rs));
            }
            return out;
        });
    }

    public Optional<Campaign> campaign(long id) {
        return db.read(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT id, name, spec_json, source_sha256, created_at FROM campaigns WHERE id = ?")) {
                ps.setLong(1, id);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(campaign(rs)) : Optional.empty();
                }
            }
        });
    }

    public Optional<Campaign> campaignByName(String name) {
        return campaigns().stream().filter(x -> x.name().equals(name)).findFirst();
    }

    private static Campaign campaign(ResultSet rs) throws SQLException {
        try {
            return new Campaign(rs.getLong(1), rs.getString(2), Json.MAPPER.readValue(rs.getString(3), CampaignSpec.class),
                    rs.getString(4), rs.getLong(5));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new StoreException("campaign " + rs.getLong(1) + " has an unreadable spec: " + e.getOriginalMessage());
        }
    }

    /** The campaign's items with their responses, in file order. */
    public List<Item> items(long campaignId) {
        return db.read(c -> {
            Map<Long, Map<String, String>> responses = new LinkedHashMap<>();
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT r.item_id, r.system, r.body FROM responses r JOIN items i ON i.id = r.item_id WHERE i.campaign_id = ? ORDER BY r.item_id, r.system")) {
                ps.setLong(1, campaignId);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) responses.computeIfAbsent(rs.getLong(1), k -> new LinkedHashMap<>()).put(rs.getString(2), rs.getString(3));
                }
            }
            List<Item> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT id, line_no, prompt, metadata_json, gold FROM items WHERE campaign_id = ? ORDER BY line_no, id")) {
                ps.setLong(1, campaignId);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        long id = rs.getLong(1);
                        out.add(new Item(id, rs.getInt(2), rs.getString(3), responses.getOrDefault(id, Map.of()),
                                readMap(rs.getString(4)), rs.getString(5)));
                    }
                }
            }
            return out;
        });
    }

    // ---------------------------------------------------------------- comparisons and votes

    /** Records an issued comparison; its id is a fresh unguessable token. */
    public Comparison issue(long campaignId, long userId, long itemId, String left, String right, double probability, String policy) {
        Comparison cmp = newComparison(campaignId, userId, itemId, left, right, probability, policy);
        db.write(c -> {
            insertComparison(c, cmp);
            return null;
        });
        return cmp;
    }

    /** A comparison with a fresh id, not yet stored (see {@link #castVote}). */
    public static Comparison newComparison(long campaignId, long userId, long itemId, String left, String right, double probability, String policy) {
        return new Comparison(Tokens.random(), campaignId, userId, itemId, left, right, probability, policy, System.currentTimeMillis());
    }

    private static void insertComparison(Connection c, Comparison cmp) throws SQLException {
        insertNoKey(c, "INSERT INTO comparisons (id, campaign_id, user_id, item_id, left_system, right_system, probability, policy, issued_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                cmp.id(), cmp.campaignId(), cmp.userId(), cmp.itemId(), cmp.leftSystem(), cmp.rightSystem(), cmp.probability(), cmp.policy(), cmp.issuedAt());
    }

    /** Why a vote was refused. */
    public enum Refusal { UNKNOWN_COMPARISON, NOT_YOURS, ALREADY_USED }

    /** A vote's result: the stored vote and the next comparison issued with it, or the reason it was refused. */
    public record CastResult(Vote vote, Refusal refusal, Comparison next) {
        CastResult(Vote vote, Refusal refusal) {
            this(vote, refusal, null);
        }
    }

    /**
     * Casts a vote on an issued comparison in one transaction: marks the comparison used (only if unused and
     * issued to this user) and appends the vote. A replay or double click finds the comparison used and is
     * refused; the UNIQUE constraint on votes.comparison_id backs this up.
     */
    public CastResult castVote(String comparisonId, long campaignId, long userId, Outcome outcome,
                               Map<String, Map<String, Integer>> attributesBySide, String rationale) {
        return castVote(comparisonId, campaignId, userId, outcome, attributesBySide, rationale, null);
    }

    /**
     * As above, and when the vote counts also issues {@code next} (the user's next comparison) in the same
     * transaction: one commit, one fsync, per vote.
     */
    public CastResult castVote(String comparisonId, long campaignId, long userId, Outcome outcome,
                               Map<String, Map<String, Integer>> attributesBySide, String rationale, Comparison next) {
        long now = System.currentTimeMillis();
        return db.write(c -> {
            Comparison cmp;
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT id, campaign_id, user_id, item_id, left_system, right_system, probability, policy, issued_at, used_at FROM comparisons WHERE id = ?")) {
                ps.setString(1, comparisonId);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) return new CastResult(null, Refusal.UNKNOWN_COMPARISON);
                    cmp = new Comparison(rs.getString(1), rs.getLong(2), rs.getLong(3), rs.getLong(4), rs.getString(5),
                            rs.getString(6), rs.getDouble(7), rs.getString(8), rs.getLong(9));
                    rs.getLong(10);
                    boolean used = !rs.wasNull();
                    if (cmp.campaignId() != campaignId) return new CastResult(null, Refusal.UNKNOWN_COMPARISON);
                    if (cmp.userId() != userId) return new CastResult(null, Refusal.NOT_YOURS);
                    if (used) return new CastResult(null, Refusal.ALREADY_USED);
                }
            }
            try (PreparedStatement ps = c.prepareStatement("UPDATE comparisons SET used_at = ? WHERE id = ? AND used_at IS NULL")) {
                ps.setLong(1, now);
                ps.setString(2, comparisonId);
                if (ps.executeUpdate() != 1) return new CastResult(null, Refusal.ALREADY_USED);
            }
            // Ratings arrive by side (what the annotator saw) and are stored by system.
            Map<String, Map<String, Integer>> attributes = new java.util.TreeMap<>();
            if (attributesBySide != null) {
                for (var e : attributesBySide.entrySet()) {
                    Map<String, Integer> bySystem = new java.util.TreeMap<>();
                    for (var side : e.getValue().entrySet()) {
                        bySystem.put(side.getKey().equals("left") ? cmp.leftSystem() : cmp.rightSystem(), side.getValue());
                    }
                    if (!bySystem.isEmpty()) attributes.put(e.getKey(), bySystem);
                }
            }
            String attrs = attributes.isEmpty() ? null : Json.line(attributes);
            long responseMs = Math.max(0, now - cmp.issuedAt());
            long id = insert(c, "INSERT INTO votes (comparison_id, campaign_id, user_id, item_id, left_system, right_system, outcome, attributes_json, rationale, probability, response_ms, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    comparisonId, cmp.campaignId(), userId, cmp.itemId(), cmp.leftSystem(), cmp.rightSystem(), outcome.wireName(),
                    attrs, rationale, cmp.probability(), responseMs, now);
            if (next != null) insertComparison(c, next);
            return new CastResult(new Vote(id, comparisonId, cmp.campaignId(), userId, null, cmp.itemId(), cmp.leftSystem(),
                    cmp.rightSystem(), outcome, attributes, rationale, cmp.probability(), responseMs, now), null, next);
        });
    }

    /** All votes of a campaign in the order they were cast (excluded ones included; see {@link #exclusions}). */
    public List<Vote> votes(long campaignId) {
        return db.read(c -> {
            List<Vote> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT v.id, v.comparison_id, v.campaign_id, v.user_id, u.username, v.item_id, v.left_system, v.right_system, v.outcome, "
                            + "v.attributes_json, v.rationale, v.probability, v.response_ms, v.created_at FROM votes v JOIN users u ON u.id = v.user_id "
                            + "WHERE v.campaign_id = ? ORDER BY v.id")) {
                ps.setLong(1, campaignId);
                ps.setFetchSize(1000);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        String a = rs.getString(10);
                        out.add(new Vote(rs.getLong(1), rs.getString(2), rs.getLong(3), rs.getLong(4), rs.getString(5), rs.getLong(6),
                                rs.getString(7), rs.getString(8), Outcome.fromWireName(rs.getString(9)),
                                a == null ? Map.of() : readAttrs(a), rs.getString(11), rs.getDouble(12), rs.getLong(13), rs.getLong(14)));
                    }
                }
            }
            return out;
        });
    }

    /** Number of votes a user has cast in a campaign. */
    public long voteCount(long campaignId, long userId) {
        return db.read(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM votes WHERE campaign_id = ? AND user_id = ?")) {
                ps.setLong(1, campaignId);
                ps.setLong(2, userId);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return rs.getLong(1);
                }
            }
        });
    }

    // ---------------------------------------------------------------- exclusions and audit

    /** Excludes one vote or all of a user's votes in a campaign; recorded, never deleting anything. */
    public Exclusion exclude(long campaignId, Long voteId, Long userId, String reason, long byUserId) {
        if ((voteId == null) == (userId == null)) throw new IllegalArgumentException("exclude exactly one of a vote or a user");
        if (reason == null || reason.isBlank() || reason.length() > 500) throw new IllegalArgumentException("reason must be 1-500 characters");
        long now = System.currentTimeMillis();
        return db.write(c -> {
            long id = insert(c, "INSERT INTO exclusions (campaign_id, vote_id, user_id, reason, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?)",
                    campaignId, voteId, userId, reason.strip(), byUserId, now);
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("campaign", campaignId);
            d.put("vote", voteId);
            d.put("user", userId);
            d.put("reason", reason.strip());
            audit(c, byUserId, "exclude", d);
            return new Exclusion(id, campaignId, voteId, userId, reason.strip(), byUserId, now);
        });
    }

    public List<Exclusion> exclusions(long campaignId) {
        return db.read(c -> {
            List<Exclusion> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT id, campaign_id, vote_id, user_id, reason, created_by, created_at FROM exclusions WHERE campaign_id = ? ORDER BY id")) {
                ps.setLong(1, campaignId);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        long v = rs.getLong(3);
                        Long voteId = rs.wasNull() ? null : v;
                        long u = rs.getLong(4);
                        Long userId = rs.wasNull() ? null : u;
                        out.add(new Exclusion(rs.getLong(1), rs.getLong(2), voteId, userId, rs.getString(5), rs.getLong(6), rs.getLong(7)));
                    }
                }
            }
            return out;
        });
    }

    /** Votes of a campaign minus excluded ones: what results and exports use. */
    public List<Vote> includedVotes(long campaignId) {
        var ex = exclusions(campaignId);
        var votes = votes(campaignId);
        var badVotes = new java.util.HashSet<Long>();
        var badUsers = new java.util.HashSet<Long>();
        for (var e : ex) {
            if (e.voteId() != null) badVotes.add(e.voteId());
            if (e.userId() != null) badUsers.add(e.userId());
        }
        return votes.stream().filter(v -> !badVotes.contains(v.id()) && !badUsers.contains(v.userId())).toList();
    }

    /** Appends an audit-log line in its own transaction (for actions that write nothing else). */
    public void audit(Long userId, String action, Map<String, ?> detail) {
        db.write(c -> {
            audit(c, userId, action, detail);
            return null;
        });
    }

    public List<AuditEntry> auditLog(int limit) {
        return db.read(c -> {
            List<AuditEntry> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT id, at, user_id, action, detail_json FROM audit_log ORDER BY id DESC LIMIT ?")) {
                ps.setInt(1, limit);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        long u = rs.getLong(3);
                        out.add(new AuditEntry(rs.getLong(1), rs.getLong(2), rs.wasNull() ? null : u, rs.getString(4), rs.getString(5)));
                    }
                }
            }
            return out;
        });
    }

    private static void audit(Connection c, Long userId, String action, Map<String, ?> detail) throws SQLException {
        insert(c, "INSERT INTO audit_log (at, user_id, action, detail_json) VALUES (?, ?, ?, ?)",
                System.currentTimeMillis(), userId, action, Json.line(detail));
    }

    // ---------------------------------------------------------------- helpers

    private static long insert(Connection c, String sql, Object... args) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql, Statement.RETURN_GENERATED_KEYS)) {
            bind(ps, args);
            ps.executeUpdate();
            try (ResultSet k = ps.getGeneratedKeys()) {
                if (!k.next()) throw new SQLException("no generated key for: " + sql);
                return k.getLong(1);
            }
        }
    }

    private static void insertNoKey(Connection c, String sql, Object... args) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            bind(ps, args);
            ps.executeUpdate();
        }
    }

    private static void bind(PreparedStatement ps, Object... args) throws SQLException {
        for (int i = 0; i < args.length; i++) {
            Object a = args[i];
            if (a == null) ps.setNull(i + 1, Types.NULL);
            else if (a instanceof String s) ps.setString(i + 1, s);
            else if (a instanceof Long l) ps.setLong(i + 1, l);
            else if (a instanceof Integer n) ps.setInt(i + 1, n);
            else if (a instanceof Double d) ps.setDouble(i + 1, d);
            else throw new IllegalArgumentException("cannot bind " + a.getClass());
        }
    }

    private static Map<String, Object> readMap(String json) {
        try {
            return Json.MAPPER.readValue(json, MAP);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new StoreException("unreadable JSON in database: " + e.getOriginalMessage());
        }
    }

    private static Map<String, Map<String, Integer>> readAttrs(String json) {
        try {
            return Json.MAPPER.readValue(json, ATTRS);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new StoreException("unreadable JSON in database: " + e.getOriginalMessage());
        }
    }
}
