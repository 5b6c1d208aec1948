#!/usr/bin/python3
"""Reference numbers for prefer-eval's metric tests, computed independently of the Java code.

Run with Debian's python3 (numpy, scipy):  python3 prefer-eval/src/test/python/metrics_reference.py
The printed numbers are pasted into MetricsReferenceTest.java; the test does not run Python.

Idealized ranking accuracy follows the RATIO arithmetic of the authors' code (Chen et al. 2024,
rlhf_minimizer_client.py: posterior = (a1/a2)**(1/beta) * ref_ratio, three-way outcome with a +-5% band, accuracy =
agreement with the outcome of a1/a2), not our log-space formula, so the two implementations are independent.
"""
import numpy as np
from scipy import stats

np.set_printoptions(precision=17)

# --- idealized ranking accuracy on 6 pairs -------------------------------------------------------------------------
ref_c = np.array([-10.0, -12.0, -7.0, -20.0, -5.0, -9.0])
ref_r = np.array([-9.5, -7.0, -7.0, -21.0, -5.3, -9.0])
tok_c = np.array([5, 6, 7, 10, 5, 3])
tok_r = np.array([4, 7, 7, 10, 5, 9])
alpha = np.array([0.6, 0.6, 0.51, 0.8, 1.0, 0.5])
eps = 1e-3


def outcome(ratio, band):
    if band == 0:
        return 1 if ratio > 1 else (-1 if ratio < 1 else 0)
    if abs(ratio - 1.0) < band:
        return 0
    return 1 if ratio >= 1 + band else -1


def rstar(beta, band, normalized):
    correct = []
    for i in range(len(alpha)):
        a1, a2 = alpha[i], 1 - alpha[i]
        odds = a1 / a2 if a2 > 0 else a1 / eps
        if normalized:
            ref_ratio = np.exp(ref_c[i] / tok_c[i]) / np.exp(ref_r[i] / tok_r[i])
        else:
            ref_ratio = np.exp(ref_c[i]) / np.exp(ref_r[i])
        post = odds ** (1 / beta) * ref_ratio
        correct.append(1 if outcome(post, band) == outcome(odds, band) else 0)
    return np.mean(correct), correct


for beta in (0.1, 1.0):
    for band in (0.0, 0.05):
        for norm in (False, True):
            r, c = rstar(beta, band, norm)
            print(f"rstar beta={beta} band={band} normalized={norm}: {r!r} {c}")

# --- Wilson interval -------------------------------------------------------------------------------------------------
for k, n in ((8, 10), (0, 20), (57, 100)):
    z = stats.norm.ppf(0.975)
    p = k / n
    center = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    print(f"wilson k={k} n={n}: {max(0.0, center - half)!r} {min(1.0, center + half)!r}")

# --- seed-level t interval -------------------------------------------------------------------------------------------
a = np.array([0.60, 0.64, 0.62])
b = np.array([0.50, 0.52, 0.51])
d = a - b
half = stats.t.ppf(0.975, len(d) - 1) * d.std(ddof=1) / np.sqrt(len(d))
print(f"overSeeds: {d.mean()!r} {d.mean() - half!r} {d.mean() + half!r}")

# --- KL estimators ---------------------------------------------------------------------------------------------------
logp = np.array([-3.0, -1.2, -7.5, -0.4, -2.2])
logp_ref = np.array([-3.4, -1.0, -9.0, -0.4, -1.7])
log_r = logp_ref - logp
k1 = np.mean(-log_r)
k2 = np.mean(log_r ** 2 / 2)
k3 = np.mean(np.expm1(log_r) - log_r)
se = np.std(-log_r, ddof=1) / np.sqrt(len(log_r))
print(f"kl: k1={k1!r} k2={k2!r} k3={k3!r} se={se!r}")

# --- length statistics -----------------------------------------------------------------------------------------------
x = np.array([12, 3, 7, 7, 40, 1, 9])
print(f"lengths: mean={x.mean()!r} sd={x.std(ddof=1)!r} median={np.percentile(x, 50)!r} p90={np.percentile(x, 90)!r}")
