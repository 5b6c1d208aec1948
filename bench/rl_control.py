#!/usr/bin/env python3
"""Merges ControlStudy outputs (lines "curve METHOD SEED STEP RETURN NORMALISED") from several runs into mean and
95% Student-t intervals per method and evaluation point, and the fraction of the true-reward agent's final
normalised score each method reaches. Usage: bench/rl_control.py run1.txt run2.txt ..."""
import sys
from collections import defaultdict
from scipy import stats
import numpy as np

curves = defaultdict(lambda: defaultdict(dict))
for path in sys.argv[1:]:
    for line in open(path):
        p = line.split()
        if p and p[0] == "curve":
            curves[p[1]][int(p[3])][int(p[2])] = float(p[5])

def ci(x):
    x = np.asarray(x)
    if len(x) < 2:
        return x.mean(), float("nan")
    return x.mean(), stats.t.ppf(0.975, len(x) - 1) * x.std(ddof=1) / np.sqrt(len(x))

final = {}
for m, pts in curves.items():
    print(f"{m}:")
    for step in sorted(pts):
        mean, half = ci(list(pts[step].values()))
        print(f"  {step:6d}  {mean:6.3f} ± {half:5.3f}  (n={len(pts[step])})")
    last = max(pts)
    final[m] = pts[last]
if "true-reward" in final:
    ref = final["true-reward"]
    for m, by_seed in final.items():
        seeds = sorted(set(by_seed) & set(ref))
        frac = [by_seed[s] / ref[s] for s in seeds]
        mean, half = ci(frac)
        print(f"fraction of the true-reward agent ({m}): {mean:.2f} ± {half:.2f} over {len(seeds)} seeds")
