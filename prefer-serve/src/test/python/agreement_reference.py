#!/usr/bin/env python3
"""Reference numbers for AgreementTest, computed independently of the Java code (plain Python, no packages).

Krippendorff's alpha (nominal) by its definition over pairable values: D_o = mean disagreement over all ordered
pairs of values within a unit (each unit's pairs weighted 1/(m_u - 1)), D_e = disagreement over all ordered pairs
of pairable values in the whole data; alpha = 1 - D_o / D_e, evaluated here as
alpha = 1 - (n - 1) * sum_u sum_{i != j in u} [c_i != c_j] / (m_u - 1)  /  sum_{a != b over all pairable values} [c_a != c_b].

Data 1 is the nominal example of Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", sec. C
(4 observers, 12 units, missing values), whose published answer is alpha = 0.743.

Run: python3 prefer-serve/src/test/python/agreement_reference.py
Printed (committed in AgreementTest):
  krippendorff_2011_nominal 0.743421052631579
  kappa_example 0.5161290322580645
"""
from fractions import Fraction

# rows = observers A..D, columns = units 1..12, None = missing
K2011 = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, None, None, None],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, None, 3],
    [None, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, None],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, None],
]


def alpha_nominal(rows):
    units = []
    for u in range(len(rows[0])):
        vals = [r[u] for r in rows if r[u] is not None]
        if len(vals) >= 2:
            units.append(vals)
    pairable = [v for vals in units for v in vals]
    n = len(pairable)
    observed = Fraction(0)
    for vals in units:
        m = len(vals)
        d = sum(1 for i in range(m) for j in range(m) if i != j and vals[i] != vals[j])
        observed += Fraction(d, m - 1)
    expected = sum(1 for a in range(n) for b in range(n) if a != b and pairable[a] != pairable[b])
    return 1 - Fraction(n - 1) * observed / expected


def kappa(r1, r2):
    n = len(r1)
    po = Fraction(sum(1 for a, b in zip(r1, r2) if a == b), n)
    cats = set(r1) | set(r2)
    pe = sum(Fraction(r1.count(c), n) * Fraction(r2.count(c), n) for c in cats)
    return (po - pe) / (1 - pe)


# Kappa example: 10 units, two raters.
R1 = ["first", "first", "first", "second", "second", "second", "tie", "tie", "first", "second"]
R2 = ["first", "first", "second", "second", "second", "first", "tie", "second", "first", "second"]

print("krippendorff_2011_nominal", float(alpha_nominal(K2011)))
print("kappa_example", float(kappa(R1, R2)))
