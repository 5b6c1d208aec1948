#!/usr/bin/env python3
"""Bradley-Terry on an arena vote CSV (model_a,model_b,winner) fitted to convergence, as an outside reference.

Same model and formulation as FastChat's compute_bt in ../shared/bench/bt_sklearn.py (collapse to unique
(model_a, model_b, outcome) rows with np.unique; count-weighted logistic NLL with outcome 1 / 0.5 / 0 and logit
ln10 * (r_a - r_b); analytic gradient), but scipy's L-BFGS-B is run with ftol=0 so that it stops on the gradient
(gtol, default 1e-9) instead of on a relative reduction of the loss. The default settings in bt_sklearn.py stop
while the gradient of the summed log-likelihood is still ~10 for the items with fewest votes, which leaves their
ratings up to ~1 Elo point from the maximum; this script shows the log-likelihood and gradient of both.

Writes --out-detail with columns model,rating_ii (1000 + 400*log10 scale, mean 1000), the layout that
`prefer bench-ratings --reference` reads. Runs with Debian's /usr/bin/python3 (numpy, scipy).

Example: python3 bench/bt_converged_reference.py --data /tmp/bench_arena.csv --out-detail /tmp/ref_converged.csv
"""
import argparse
import math
import time

import numpy as np
from scipy.optimize import minimize
from scipy.special import expit

LN10 = math.log(10.0)
CODE = {b"model_a": 2, b"tie": 1, b"tie (bothbad)": 1, b"model_b": 0}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", default="/tmp/bench_arena.csv")
    ap.add_argument("--gtol", type=float, default=1e-9)
    ap.add_argument("--out-detail", default="/tmp/ref_converged.csv")
    ap.add_argument("--compare", default="", help="bt_sklearn.py --out-detail CSV to score as well")
    a = ap.parse_args()
    with open(a.data, "rb") as f:
        assert f.readline().strip() == b"model_a,model_b,winner"
        rows = f.read().split(b"\n")
    if rows[-1] == b"":
        rows.pop()
    ca, cb, cw = zip(*(r.split(b",") for r in rows))
    ids = {}
    for col in (ca, cb):
        for x in col:
            ids.setdefault(x, len(ids))
    n = len(rows)
    sched = np.empty((n, 3), dtype=np.int32)
    sched[:, 0] = np.fromiter((ids[x] for x in ca), np.int32, n)
    sched[:, 1] = np.fromiter((ids[x] for x in cb), np.int32, n)
    sched[:, 2] = np.fromiter((CODE[x] for x in cw), np.int32, n)
    t0 = time.perf_counter()
    mo, w = np.unique(sched, return_counts=True, axis=0)
    m, y, w = mo[:, :2], mo[:, 2] / 2.0, w.astype(np.float64)
    p = len(ids)

    def f(r):
        z = LN10 * (r[m[:, 0]] - r[m[:, 1]])
        loss = np.sum(w * (y * np.logaddexp(0, -z) + (1 - y) * np.logaddexp(0, z)))
        g = -LN10 * (y - expit(z)) * w
        grad = np.zeros(p)
        np.add.at(grad, m[:, 0], g)
        np.add.at(grad, m[:, 1], -g)
        return loss, grad

    res = minimize(f, np.zeros(p), jac=True, method="L-BFGS-B",
                   options={"ftol": 0.0, "gtol": a.gtol, "maxiter": 100000, "maxfun": 100000})
    dt = time.perf_counter() - t0
    r = 400.0 * res.x + 1000.0
    r = r - r.mean() + 1000.0
    _, g = f(res.x)
    print(f"converged reference: {len(w)} unique rows, L-BFGS-B nit {res.nit}, msg '{res.message}', "
          f"log-likelihood {-res.fun:.6f}, max|grad of summed loglik wrt theta| {np.abs(g).max() / LN10:.3e}, {dt:.2f}s")
    names = [x.decode() for x in ids]
    with open(a.out_detail, "w") as out:
        out.write("model,rating_ii\n")
        for k in np.argsort(-r):
            out.write(f"{names[k]},{r[k]:.9f}\n")
    if a.compare:
        import csv
        other = {row["model"]: float(row["rating_i"]) for row in csv.DictReader(open(a.compare))}
        x = np.array([(other[nm] - 1000.0) / 400.0 for nm in names])
        loss, g = f(x)
        print(f"{a.compare} (sklearn column rating_i): log-likelihood {-loss:.6f}, max|grad| {np.abs(g).max() / LN10:.3e}, "
              f"max |rating - converged| {np.abs(400 * x + 1000 - r).max():.6f} Elo")
    print(f"wrote {a.out_detail}")


if __name__ == "__main__":
    main()
