#!/usr/bin/env python3
"""Reference numbers for prefer-ratings' sandwich intervals and Arena style control (numpy only).

Independent of the Java code: log-likelihoods are written per vote from the model formulas, per-vote scores come
from complex-step differentiation (exact to rounding; all parameters at once, since each vote's log-likelihood
depends on them through theta_a - theta_b (+ beta'x) and eta only), the Hessian is a central finite difference of the summed
complex-step scores ("numerical Hessian"), fits are Newton's method with that Hessian, and the gauge (ratings are
only identified up to a common shift) is handled with numpy's Moore-Penrose pseudo-inverse of the projected
Hessian. Sandwich covariance: Cov = H+ G H+, G = sum over votes of score outer products.

What it re-implements, with sources read for it:
  * sandwich intervals: lmarena/arena-rank arena_rank/models/bradley_terry.py, compute_hessian_and_covariance
    (lines 91-132) and compute_ratings_and_cis (lines 171-196); arena-rank adds a 1e-5*N ridge to H instead of
    using the gauge: printed below as "arena-rank formula" for comparison;
  * reweighting 1/max(pair_count, 50): arena_rank/utils/data_utils.py lines 119-130 (BT, not normalised) and
    192-203 (contextual, normalised to mean 1);
  * style control: arena_rank/models/contextual_bradley_terry.py loss_function (lines 88-106; -mean(w*ll) +
    0.5*reg*|beta|^2, reg = 1) and compute_hessian_and_covariance (110-187), features (a-b)/(a+b) z-normalised
    (examples/example_utils.py lines 32-45; data_utils.py lines 185-190, population std);
  * markdown counts: lmarena/arena-hard-auto utils/add_markdown_info.py count_markdown_elements (lines 11-32)
    and remove_pattern (34-38); tokens: \\w+|[^\\w\\s] (tiktoken is not available here), ASCII classes.

Data: ../shared/data/llmfao/crowd-comparisons.csv (left, right, winner) joined with results.jsonl on (prompt, name).
Writes CSVs under prefer-ratings/src/test/resources/ratings-reference/ that the Java tests compare against.
Run: python3 bench/ratings_reference.py [sandwich,style]   (minutes: the numerical Hessians dominate)
"""
import csv
import json
import os
import re
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
SHARED = os.path.join(ROOT, "..", "shared", "data", "llmfao")
OUT = os.path.join(ROOT, "prefer-ratings", "src", "test", "resources", "ratings-reference")

# ---------- data ----------

def load_votes():
    rows = list(csv.DictReader(open(os.path.join(SHARED, "crowd-comparisons.csv"), newline="")))
    items = []
    index = {}
    for r in rows:
        for s in (r["left"], r["right"]):
            if s not in index:
                index[s] = len(items)
                items.append(s)
    a = np.array([index[r["left"]] for r in rows])
    b = np.array([index[r["right"]] for r in rows])
    code = {"left": 0, "right": 1, "tie": 2}
    o = np.array([code[r["winner"]] for r in rows])
    return rows, items, a, b, o


# ---------- per-vote log-likelihoods (complex-safe), as functions of d = theta_a - theta_b and eta ----------

def logsig(x):
    return -np.log(1 + np.exp(-x))


def ll_bt(d, eta, o):
    y = np.where(o == 0, 1.0, np.where(o == 1, 0.0, 0.5))
    return y * logsig(d) + (1 - y) * logsig(-d)


def ll_davidson(d, eta, o):
    logD = np.log(np.exp(d / 2) + np.exp(-d / 2) + np.exp(eta))
    return np.where(o == 0, d / 2, np.where(o == 1, -d / 2, eta)) - logD


def ll_rao_kupper(d, eta, o):
    u, v = d - eta, -d - eta
    tie = np.log(np.exp(2 * eta) - 1) + logsig(u) + logsig(v)
    return np.where(o == 0, logsig(u), np.where(o == 1, logsig(v), tie))


def pairwise_scores(ll_fn, a, b, o, n, m, h=1e-30):
    """Per-vote scores (votes x params) of ll_fn(theta_a - theta_b, eta) by the complex step, every parameter at
    once: parameter k moves d by D[:, k] (+1 at a, -1 at b) or, for k = n, eta by 1."""
    N = len(a)
    D = np.zeros((N, m))
    D[np.arange(N), a] += 1
    D[np.arange(N), b] -= 1
    E = np.zeros((1, m))
    if m > n:
        E[0, n] = 1

    def scores_at(x):
        d = (x[a] - x[b])[:, None] + 1j * h * D
        eta = (x[n] if m > n else 0.0) + 1j * h * E
        return np.imag(ll_fn(d, eta, o[:, None])) / h

    return scores_at


# ---------- derivatives ----------

def hessian(grad, x, h=1e-4):
    m = len(x)
    H = np.zeros((m, m))
    for k in range(m):
        e = np.zeros(m)
        e[k] = h
        H[:, k] = (grad(x + e) - grad(x - e)) / (2 * h)
    return 0.5 * (H + H.T)


def gauge_pinv(H, n):
    """Pseudo-inverse of H restricted to parameters with mean-zero ratings (first n coordinates)."""
    m = H.shape[0]
    u = np.zeros(m)
    u[:n] = 1 / np.sqrt(n)
    P = np.eye(m) - np.outer(u, u)
    return np.linalg.pinv(P @ H @ P, rcond=1e-10, hermitian=True)


def newton(objective_grad, hess, x0, n, iters=60, gtol=1e-9, refresh=8):
    """Newton's method until the largest gradient entry is below gtol; the (expensive, numerical) Hessian is
    recomputed every `refresh` iterations only."""
    x = x0.copy()
    Hp = None
    for it in range(iters):
        g = objective_grad(x)
        if np.max(np.abs(g)) < gtol:
            break
        if Hp is None or it % refresh == 0:
            Hp = gauge_pinv(hess(x), n)  # Hessian of the objective to maximise (negative definite off the gauge)
        step = -Hp @ g
        x = x + step
        x[:n] -= x[:n].mean()
    return x


def fit_pairwise(name, ll_fn, a, b, o, n, w, eta0):
    m = n + (0 if eta0 is None else 1)
    x0 = np.zeros(m)
    if eta0 is not None:
        x0[n] = eta0
    scores_at = pairwise_scores(ll_fn, a, b, o, n, m)
    grad = lambda x: scores_at(x).T @ w
    x = newton(grad, lambda x: hessian(grad, x), x0, n)
    S = scores_at(x) * w[:, None]
    G = S.T @ S
    Hneg = -hessian(grad, x)
    Hp = gauge_pinv(Hneg, n)
    cov = Hp @ G @ Hp
    se = np.sqrt(np.diag(cov))
    # arena-rank's formula for comparison: ridge 1e-5 * N on H (unweighted), plain inverse
    N = len(a)
    ridge = 1e-5 * (N if np.allclose(w, 1) else 1.0)
    Hr = np.linalg.inv(Hneg + ridge * np.eye(m))
    se_arena = np.sqrt(np.diag(Hr @ G @ Hr))
    print(f"{name}: max |grad| {np.max(np.abs(grad(x))):.2e}; sandwich se (log units) median {np.median(se[:n]):.5f}; "
          f"arena-rank ridge formula differs by at most {np.max(np.abs(se_arena[:n] - se[:n])):.2e} (rel {np.max(np.abs(se_arena[:n] / se[:n] - 1)):.2e})")
    return x, se


# ---------- style features ----------

CODE = re.compile(r"```([^`]*)```")
TOKEN = re.compile(r"\w+|[^\w\s]", re.ASCII)
HEADERS = [re.compile(r"^#{%d}\s" % h, re.MULTILINE | re.ASCII) for h in range(1, 7)]
ORDERED = re.compile(r"^\s*\d+\.\s", re.MULTILINE | re.ASCII)
UNORDERED = re.compile(r"^\s*[-*+]\s", re.MULTILINE | re.ASCII)
BOLD1 = re.compile(r"\*\*[^*\n]+\*\*")
BOLD2 = re.compile(r"__[^_\n]+__")


def remove_pattern(answer, pattern):
    for block in pattern.findall(answer):
        answer = answer.replace(block, "")
    return answer


def style_counts(answer):
    tokens = len(TOKEN.findall(answer))
    text = remove_pattern(answer, CODE)
    headers = sum(len(p.findall(text)) for p in HEADERS)
    lists = len(ORDERED.findall(text)) + len(UNORDERED.findall(text))
    bold = len(BOLD1.findall(text)) + len(BOLD2.findall(text))
    return np.array([tokens, headers, lists, bold], dtype=float)


def main():
    t0 = time.time()
    parts = sys.argv[1].split(",") if len(sys.argv) > 1 else ["sandwich", "style"]
    os.makedirs(OUT, exist_ok=True)
    rows, items, a, b, o = load_votes()
    n, N = len(items), len(a)
    print(f"{N} votes, {n} items")
    lo, hi = np.minimum(a, b), np.maximum(a, b)
    key = lo * n + hi
    _, inv, cnt = np.unique(key, return_inverse=True, return_counts=True)
    if "sandwich" in parts:
        sandwich(rows, items, a, b, o, n, N, inv, cnt)
    if "style" in parts:
        style(rows, items, a, b, o, n, N, inv, cnt)
    print(f"wrote {OUT} in {time.time() - t0:.1f} s")


def sandwich(rows, items, a, b, o, n, N, inv, cnt):
    ones = np.ones(N)
    out = []
    for name, fn, eta0 in [("bt", ll_bt, None), ("davidson", ll_davidson, 0.0), ("rao-kupper", ll_rao_kupper, np.log(1.5))]:
        x, se = fit_pairwise(name, fn, a, b, o, n, ones, eta0)
        for i in range(n):
            out.append((name, items[i], x[i], se[i]))
        if eta0 is not None:
            out.append((name, "__eta__", x[n], se[n]))
    # reweighted BT: each vote weighs 1 / max(votes of its unordered pair, 50)
    wr = 1.0 / np.maximum(cnt[inv], 50)
    x, se = fit_pairwise("bt-reweighted", ll_bt, a, b, o, n, wr, None)
    for i in range(n):
        out.append(("bt-reweighted", items[i], x[i], se[i]))
    with open(os.path.join(OUT, "sandwich-llmfao.csv"), "w", newline="") as f:
        wri = csv.writer(f, lineterminator="\n")
        wri.writerow(["model", "item", "theta", "se"])
        for r in out:
            wri.writerow([r[0], r[1], repr(float(r[2])), repr(float(r[3]))])


def style(rows, items, a, b, o, n, N, inv, cnt):
    texts = {}
    for line in open(os.path.join(SHARED, "results.jsonl")):
        r = json.loads(line)
        texts[(r["prompt"], r["name"])] = (r["id"], r["result"])
    counts = {}
    with open(os.path.join(OUT, "style-counts-llmfao.csv"), "w", newline="") as f:
        wri = csv.writer(f, lineterminator="\n")
        wri.writerow(["result_id", "tokens", "headers", "lists", "bold"])
        for (pr, nm), (rid, txt) in sorted(texts.items(), key=lambda kv: kv[1][0]):
            c = style_counts(txt)
            counts[(pr, nm)] = c
            wri.writerow([rid] + [int(v) for v in c])
    raw = np.array([(lambda ca, cb: (ca - cb) / np.where(ca + cb == 0, 1, ca + cb))(
        counts[(int(r["prompt"]), r["left"])], counts[(int(r["prompt"]), r["right"])]) for r in rows])
    mu, sd = raw.mean(axis=0), raw.std(axis=0)
    sd = np.where(sd == 0, 1.0, sd)
    X = (raw - mu) / sd
    p = X.shape[1]
    wc = 1.0 / np.maximum(cnt[inv], 50)
    wc = wc / wc.mean()
    y = np.where(o == 0, 1.0, np.where(o == 1, 0.0, 0.5))
    lam = 1.0

    # z = D x is linear in the parameters (D: +1 at a, -1 at b, the features): the complex step of every
    # parameter at once is ll(z + i h D), one (votes x params) evaluation instead of one per parameter.
    D = np.zeros((N, n + p))
    D[np.arange(N), a] += 1
    D[np.arange(N), b] -= 1
    D[:, n:] = X

    def per_vote_scores(x, h=1e-30):
        Z = (D @ x)[:, None] + 1j * h * D
        S = np.imag(y[:, None] * logsig(Z) + (1 - y[:, None]) * logsig(-Z)) / h
        S = S * wc[:, None]
        S[:, n:] -= lam * x[n:]  # the penalty -0.5*lam*N*|beta|^2 split evenly over the votes
        return S

    grad = lambda x: per_vote_scores(x).sum(axis=0)
    x = newton(grad, lambda x: hessian(grad, x), np.zeros(n + p), n)
    S = per_vote_scores(x)
    G = S.T @ S
    Hneg = -hessian(grad, x)
    Hp = gauge_pinv(Hneg, n)
    se = np.sqrt(np.diag(Hp @ G @ Hp))
    # arena-rank's formula: H without the penalty, ridge 1e-5, G - reg^2/N beta beta^T, all over N
    zz = x[a] - x[b] + X @ x[n:]
    pp = 1 / (1 + np.exp(-zz))
    Ha = (D * (pp * (1 - pp) * wc / N)[:, None]).T @ D + 1e-5 * np.eye(n + p)
    gv = ((y - pp) * wc) ** 2 / N
    Ga = (D * gv[:, None]).T @ D - (lam ** 2 / N) * np.outer(np.r_[np.zeros(n), x[n:]], np.r_[np.zeros(n), x[n:]])
    Hai = np.linalg.inv(Ha)
    se_a = np.sqrt(np.diag(Hai @ Ga @ Hai) / N)
    print(f"style: max |grad| {np.max(np.abs(grad(x))):.2e}; beta {np.round(x[n:], 5)} se {np.round(se[n:], 5)}")
    print(f"style: arena-rank formula se differs: ratings at most {np.max(np.abs(se_a[:n] - se[:n])):.2e} (rel "
          f"{np.max(np.abs(se_a[:n] / se[:n] - 1)):.2e}); coefficients {np.round(se_a[n:], 5)}")
    with open(os.path.join(OUT, "style-llmfao.csv"), "w", newline="") as f:
        wri = csv.writer(f, lineterminator="\n")
        wri.writerow(["item", "theta", "se"])
        for i in range(n):
            wri.writerow([items[i], repr(float(x[i])), repr(float(se[i]))])
        for j, nm in enumerate(["tokens", "headers", "lists", "bold"]):
            wri.writerow(["__beta__:" + nm, repr(float(x[n + j])), repr(float(se[n + j]))])
        for j, nm in enumerate(["tokens", "headers", "lists", "bold"]):
            wri.writerow(["__norm__:" + nm, repr(float(mu[j])), repr(float(sd[j]))])


if __name__ == "__main__":
    sys.exit(main())
