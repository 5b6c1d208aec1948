#!/usr/bin/env bash
# Bradley-Terry benchmark, side by side on this machine: Prefer's fit and bootstrap against the Python references
# in ../shared/bench/bt_sklearn.py (scikit-learn LogisticRegression on one row per vote, as the Arena code does;
# FastChat's collapsed L-BFGS-B; FastChat's bootstrap), on the synthetic arena file of bt_arena_synth.py
# (150 items, 2,000,000 votes, known strengths). Prints medians of repeats and the time ratios. Not a test.
#
#   bench/ratings.sh                 # generate data if missing, run both sides, compare
#   REPEATS=3 BOOT=1000 bench/ratings.sh
#   SKIP_REF=1 bench/ratings.sh      # reuse the last reference log in $WORK
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
shared="${PREFER_SHARED:-$here/../shared}"
WORK="${WORK:-/tmp/prefer-bench}"
DATA="${DATA:-$WORK/bench_arena.csv}"
TRUTH="${TRUTH:-$WORK/bench_arena_truth.csv}"
REPEATS="${REPEATS:-3}"
BOOT="${BOOT:-1000}"
mkdir -p "$WORK"
if [[ ! -f "$DATA" ]]; then
  /usr/bin/python3 "$shared/bench/bt_arena_synth.py" --items 150 --votes 2000000 --seed 0 --out "$DATA" --truth "$TRUTH"
fi
if [[ -z "${SKIP_REF:-}" ]]; then
  echo "== reference: bt_sklearn.py (tuned environment, see ../shared/bench/README.md)" >&2
  env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE \
      GLIBC_TUNABLES=glibc.malloc.mmap_threshold=4294967296:glibc.malloc.trim_threshold=17179869184 \
      OMP_WAIT_POLICY=passive /usr/bin/python3 "$shared/bench/bt_sklearn.py" --data "$DATA" --truth "$TRUTH" \
      --repeats "$REPEATS" --boot-probe 20 --boot-budget-s 0 \
      --out "$WORK/ref_ratings.csv" --out-detail "$WORK/ref_detail.csv" | tee "$WORK/ref.log"
fi
echo "== converged reference (bench/bt_converged_reference.py)" >&2
/usr/bin/python3 "$here/bench/bt_converged_reference.py" --data "$DATA" --out-detail "$WORK/ref_converged.csv" \
    --compare "$WORK/ref_detail.csv" | tee "$WORK/ref_converged.log"
echo "== prefer bench ratings" >&2
"$here/prefer" bench ratings --data "$DATA" --reference "$WORK/ref_detail.csv" --reference "$WORK/ref_converged.csv" \
    --repeats "$((REPEATS > 5 ? REPEATS : 5))" --bootstrap "$BOOT" | tee "$WORK/prefer.log"
/usr/bin/python3 - "$WORK/ref.log" "$WORK/prefer.log" <<'PY'
import re, sys
ref, ours = open(sys.argv[1]).read(), open(sys.argv[2]).read()
def med(pat, text):
    m = re.search(pat + r"[^\n]*?median ([0-9.]+)s", text)
    return float(m.group(1)) if m else None
lr_total = med(r"\(i\)\s+sklearn[^\n]*?total", ref)
lr_fit = med(r"\(i\)\s+sklearn[^\n]*?; fit", ref)
fc_total = med(r"\(ii\)\s+FastChat[^\n]*?total", ref)
m = re.search(r"extrapolated (\d+) rounds: ([0-9.]+)s", ref)
boot_ref = float(m.group(2)) if m else None
r = dict(re.findall(r"(\w+)=([0-9.eE+-]+)", " ".join(l for l in ours.splitlines() if l.startswith("RESULT"))))
fit, fit_only, boot = float(r["fit_total_s"]), float(r["fit_only_s"]), float(r.get("bootstrap_s", "nan"))
print("\n== summary (medians; same machine, same file)")
print(f"prefer BT (collapse + Newton fit): {fit:.4f}s (Newton alone {fit_only:.4f}s); CSV read {float(r['read_s']):.2f}s reported separately")
if lr_total: print(f"sklearn LogisticRegression (i): total {lr_total:.2f}s, fit {lr_fit:.2f}s -> ratio {lr_total / fit:.0f}x (total), {lr_fit / fit:.0f}x (fit only)")
if fc_total: print(f"FastChat compute_bt (ii): {fc_total:.3f}s -> ratio {fc_total / fit:.1f}x")
if boot_ref: print(f"bootstrap 1000 rounds: prefer {boot:.2f}s vs FastChat {boot_ref:.1f}s (extrapolated, 1 process) -> {boot_ref / boot:.0f}x")
for k, v in r.items():
    if k.startswith("maxdiff_"): print(f"max |rating difference| (Elo points) {k[8:]}: {float(v):.2e}")
print(open(sys.argv[1].replace("ref.log", "ref_converged.log")).read().strip())
PY
