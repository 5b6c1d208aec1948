#!/usr/bin/python3
"""Independent reference numbers for dev.prefer.objectives.online, written with PyTorch (Debian python3-torch 1.13)
in float64 after the code of other projects (cited by file and line below). It does not read or run any Java code.
OnlineReferenceTest compares the Java advantages and losses with the printed JSON, committed as
src/test/resources/dev/prefer/objectives/online/online-reference-numbers.json.

  /usr/bin/python3 prefer-objectives/src/test/python/online_ref.py \
      > prefer-objectives/src/test/resources/dev/prefer/objectives/online/online-reference-numbers.json

Sources (commits of the stored snapshots that were read):
  TRL      huggingface/trl @ f2cd57710ae345ea6428ae95363267fcf38a3dc8
           trl/trainer/grpo_trainer.py  _generate_and_score_completions L2681-2728 (advantages, both aggregation
                                        orders), L2416-2421 (mask_truncated_completions), _compute_loss L3054-3090
                                        (ratios, k3 KL, clipping, delta), L3124-3146 (loss types), L3224-3252 (metrics)
           trl/trainer/utils.py         nanstd L857-882 (Bessel-corrected)
           trl/experimental/gspo_token/grpo_trainer.py L73-82 (importance_sampling_level="sequence_token")
           trl/trainer/rloo_trainer.py  L1526-1560 (KL-shaped rewards, leave-one-out baseline, normalisation),
                                        _compute_loss L1683-1696 (sequence-level clipped ratio)
           trl/experimental/nash_md/nash_md_trainer.py L80-89 (GeometricMixtureWrapper.forward),
                                        _compute_losses L367-385, training_step L480-482 (probability = sigmoid)
  OpenRLHF OpenRLHF/OpenRLHF @ 3c3be6234e0cb353e76bb8019947db9dfe99fca7
           openrlhf/trainer/ppo_utils/experience_maker.py L264-270 (baselines), L292-310 (cumulative returns),
                                        L315-327 (global masked whitening for "reinforce" / "reinforce_baseline")
           openrlhf/models/utils.py     compute_approx_kl L64-95, compute_reward L98-126
           openrlhf/models/loss.py      PolicyLoss.forward L166-193, aggregate_loss L29-32 (token-level mean)
  SPPO     uclaml/SPPO @ 5e61c4e90822fe526d8bbe1a50a6e85a85c30911
           sppo/trainer.py L876-879 (loss_type "sppo"), scripts/compute_prob.py L41-46 (P = sigmoid of score
                                        differences, diagonal 1/2), L84/L96-97 (win rate = row sum / K)
  INPO     Zhang et al. 2024 (arXiv 2407.00617): h = log π_θ(y_w)/π_θ(y_l) − ητ log π_ref(y_w)/π_ref(y_l)
           − (1 − ητ) log π_t(y_w)/π_t(y_l), loss (h − η/2)²; the paper's listing was not reachable, so the
           constant is checked below by its defining property: on a tabular game the population loss is stationary
           at the OMD update π_t^{1−ητ} π_ref^{ητ} exp(η P(y ≻ π_t)) (asserted here, not only printed).
  SPO      Swamy et al. 2024 (arXiv 2401.04056): reward = proportion of wins against the other samples.
  Pref-GRPO Wang et al. 2025 (arXiv 2508.20751): group reward = average pairwise win rate, then GRPO normalisation.
"""
import json
import math

import torch
import torch.nn.functional as F

torch.set_default_dtype(torch.float64)
T = torch.tensor


def nanstd(t, dim=None, keepdim=False):
    # trl/trainer/utils.py nanstd (Bessel-corrected, NaN-aware)
    if dim is None:
        mean = torch.nanmean(t)
        var = torch.nanmean((t - mean) ** 2)
        count = (~torch.isnan(t)).sum()
    else:
        mean = torch.nanmean(t, dim=dim, keepdim=True)
        var = torch.nanmean((t - mean) ** 2, dim=dim, keepdim=True)
        count = (~torch.isnan(t)).sum(dim=dim, keepdim=True)
    corr = torch.where(count > 1, count / (count - 1), torch.full_like(var, float("nan")))
    std = torch.sqrt(var * corr)
    if dim is not None and not keepdim:
        std = std.squeeze(dim)
    return std


out = {"torch": torch.__version__}

# ================================ advantages ================================
G = 3
rewards = T([1.0, 0.0, 0.5, 0.2, 0.2, 0.2, 2.0, -1.0, 0.25, 0.7, 0.9, 0.1])  # 4 groups of 3; group 1 has std 0


def grpo_adv(r, scale):
    # grpo_trainer.py L2681-2708 (sum_then_normalize with a single reward)
    mean_g = torch.nanmean(r.view(-1, G), dim=1).repeat_interleave(G)
    if scale in ("group", "none"):
        std = nanstd(r.view(-1, G), dim=1).repeat_interleave(G)
    else:
        std = nanstd(r).expand_as(r)
    a = r - mean_g
    if scale != "none":
        a = a / (std + 1e-4)
    zero = torch.isclose(std, torch.zeros_like(std)).double().mean().item()
    return a.tolist(), zero


adv = {"rewards": rewards.tolist(), "group_size": G}
for s in ("group", "batch", "none"):
    a, z = grpo_adv(rewards, s)
    adv["grpo_" + s] = a
    adv["frac_reward_zero_std_" + s] = z

# several reward functions with weights; a NaN in one function (not scorable there), and one row unscorable by all
per_func = T([[1.0, 0.3], [0.0, float("nan")], [1.0, 0.9],
              [0.0, 0.1], [1.0, 0.2], [float("nan"), float("nan")],
              [1.0, 0.5], [1.0, 0.5], [0.0, 0.4],
              [0.0, 0.8], [1.0, 0.0], [0.0, 0.6]])
weights = T([1.0, 0.5])
unscorable = torch.isnan(per_func).all(dim=1)
# sum_then_normalize, scale_rewards="group"
r = (per_func * weights.unsqueeze(0)).nansum(dim=1)
r[unscorable] = float("nan")
mean_g = torch.nanmean(r.view(-1, G), dim=1).repeat_interleave(G)
std_g = nanstd(r.view(-1, G), dim=1).repeat_interleave(G)
a_sum = torch.nan_to_num((r - mean_g) / (std_g + 1e-4), nan=0.0)
# normalize_then_sum (GDPO), L2710-2719
grouped = per_func.view(-1, G, 2)
mean_k = torch.nanmean(grouped, dim=1, keepdim=True)
std_k = nanstd(grouped, dim=1, keepdim=True)
rk = ((grouped - mean_k) / (std_k + 1e-4)).view(-1, 2)
r2 = (rk * weights.unsqueeze(0)).nansum(dim=1)
r2[unscorable] = float("nan")
a_norm = torch.nan_to_num((r2 - torch.nanmean(r2)) / (nanstd(r2) + 1e-4), nan=0.0)
logged = (per_func * weights.unsqueeze(0)).nansum(dim=1)
logged[unscorable] = float("nan")
adv["multi"] = {
    "per_func": [[None if math.isnan(v) else v for v in row] for row in per_func.tolist()],
    "weights": weights.tolist(), "names": ["accuracy", "format"],
    "sum_then_normalize": a_sum.tolist(), "normalize_then_sum": a_norm.tolist(),
    "metrics": {"reward": torch.nanmean(logged).item(), "reward_std": nanstd(logged).item(),
                "rewards/accuracy/mean": torch.nanmean(per_func[:, 0]).item(),
                "rewards/accuracy/std": nanstd(per_func[:, 0]).item(),
                "rewards/format/mean": torch.nanmean(per_func[:, 1]).item(),
                "rewards/format/std": nanstd(per_func[:, 1]).item(),
                "frac_reward_zero_std": torch.isclose(std_g, torch.zeros_like(std_g)).double().mean().item()}}

# RLOO (rloo_trainer.py L1526-1560): sequence-level k1 KL in the reward, leave-one-out baseline, optional normalisation
torch.manual_seed(11)
Bt, Tt = 12, 4
rl_mask = T([[1, 1, 1, 1], [1, 1, 0, 0], [1, 1, 1, 0], [1, 0, 0, 0]] * 3).double()
rl_old = -torch.rand(Bt, Tt) * 2 - 0.1
rl_ref = rl_old + 0.3 * torch.randn(Bt, Tt)
rl_beta = 0.05
kl = ((rl_old - rl_ref) * rl_mask).sum(-1)
shaped = rewards - rl_beta * kl
grp = shaped.view(-1, G)
base = ((grp.sum(1, keepdim=True) - grp) / (G - 1)).view(-1)
a_rloo = shaped - base
adv["rloo"] = {"old": rl_old.flatten().tolist(), "ref": rl_ref.flatten().tolist(), "mask": rl_mask.flatten().tolist(),
               "t": Tt, "beta": rl_beta, "shaped_rewards": shaped.tolist(), "advantages": a_rloo.tolist(),
               "advantages_normalized": ((a_rloo - a_rloo.mean()) / (nanstd(a_rloo) + 1e-4)).tolist(),
               "advantages_no_kl": (rewards - ((rewards.view(-1, G).sum(1, keepdim=True) - rewards.view(-1, G))
                                               / (G - 1)).view(-1)).tolist()}


# REINFORCE++ (OpenRLHF experience_maker.py): per-token reward = r at the last action token − kl_coef·KL_t (k1,
# clamped to ±10, utils.py L64-95, L98-126), returns = reverse cumulative sum (gamma 1), then whitening over every
# action token of the batch (L315-327). reinforce_baseline first subtracts the group mean reward (L267-268).
def reinforce_pp(r, baseline, kl_coef, estimator="k1"):
    if baseline:
        r = (r.view(-1, G) - r.view(-1, G).mean(-1, keepdim=True)).view(-1)
    lr = rl_old - rl_ref
    if estimator == "k3":
        lr = (-lr).exp() - 1 + lr
    klt = lr.clamp(min=-10, max=10)
    eos = Tt - 1 - rl_mask.long().fliplr().argmax(dim=1, keepdim=True)
    last = torch.zeros_like(klt).scatter_(1, eos, r.unsqueeze(1))
    tok = (last - kl_coef * klt) * rl_mask
    ret = torch.zeros_like(tok)
    c = torch.zeros(Bt)
    for t in reversed(range(Tt)):
        c = tok[:, t] + c
        ret[:, t] = c
    n = rl_mask.sum()
    mean = (ret * rl_mask).sum() / n
    var = ((ret - mean).pow(2) * rl_mask).sum() / n
    a = (ret - mean) * var.clamp(min=1e-8).rsqrt()
    return (a * rl_mask).flatten().tolist()  # masked positions set to 0 (the loss masks them anyway)


adv["reinforce_pp"] = {"kl_coef": 0.01, "plain": reinforce_pp(rewards, False, 0.01),
                       "baseline": reinforce_pp(rewards, True, 0.01), "baseline_k3": reinforce_pp(rewards, True, 0.01, "k3"),
                       "no_kl": reinforce_pp(rewards, False, 0.0)}

# Pairwise judges. P[g, i, j] = P(y_i ≻ y_j) for the G = 4 samples of a prompt, from Bradley-Terry scores as SPPO's
# compute_prob.py L41-46 does (so the diagonal is 1/2), plus an intransitive group written by hand.
K = 4
scores = T([[1.0, 0.2, -0.5, 0.7]])
P_bt = torch.sigmoid(scores.unsqueeze(2) - scores.unsqueeze(1))  # (1, K, K)
P_cyc = T([[[0.5, 0.9, 0.2, 0.6], [0.1, 0.5, 0.8, 0.4], [0.8, 0.2, 0.5, 0.7], [0.4, 0.6, 0.3, 0.5]]])
P = torch.cat((P_bt, P_cyc), 0)  # (2, K, K)
off = 1 - torch.eye(K)
winrate_others = ((P * off).sum(-1) / (K - 1))  # SPO / Pref-GRPO: mean over j ≠ i
winrate_hard = (((P > 0.5).double() * off).sum(-1) / (K - 1))  # Pref-GRPO with hard (0/1) judgements
sppo_winrate = P.sum(-1) / K  # SPPO compute_prob.py L84, L96: row sum over all K (diagonal included) / K
pg = winrate_others.flatten()
pg_std = nanstd(pg.view(-1, K), dim=1).repeat_interleave(K)
pg_mean = pg.view(-1, K).mean(1).repeat_interleave(K)
adv["pairwise"] = {"k": K, "probabilities": P.flatten().tolist(), "win_rate_others": winrate_others.flatten().tolist(),
                   "win_rate_hard": winrate_hard.flatten().tolist(), "sppo_win_rate": sppo_winrate.flatten().tolist(),
                   "pref_grpo_advantages": ((pg - pg_mean) / (pg_std + 1e-4)).tolist()}
out["advantages"] = adv

# ================================ policy losses ================================
torch.manual_seed(7)
B, TT = 6, 5
mask = T([[1, 1, 1, 1, 1], [1, 1, 1, 0, 0], [1, 1, 1, 1, 0], [1, 1, 0, 0, 0], [1, 1, 1, 1, 1], [1, 0, 0, 0, 0]]).double()
logp0 = -torch.rand(B, TT) * 2.5 - 0.05
old = logp0 + 0.45 * torch.randn(B, TT)
ref = logp0 + 0.4 * torch.randn(B, TT)
ent = torch.rand(B, TT) * 3
advs = T([-1.2, 0.7, 0.3, -1.5, 0.9, -0.2])
advs_alt = T([1.2, -0.7, 0.3, -1.5, 0.9, -0.2])  # clips whole sequences at the sequence level
tok_adv = torch.randn(B, TT)
truncated = [False, False, True, False, False, False]
out["batch"] = {"b": B, "t": TT, "logps": logp0.flatten().tolist(), "old": old.flatten().tolist(),
                "ref": ref.flatten().tolist(), "mask": mask.flatten().tolist(), "entropies": ent.flatten().tolist(),
                "advantages": advs.tolist(), "advantages_alt": advs_alt.tolist(), "token_advantages": tok_adv.flatten().tolist(), "truncated": truncated}


def grpo_loss(loss_type="grpo", eps_low=0.2, eps_high=0.28, beta=0.04, level="token", delta=None, max_len=8,
              items=40.0, first_iteration=False, advantages="advantages", mask_truncated=False):
    """TRL grpo_trainer.py _compute_loss L3054-3146 and metrics L3224-3252 (one process, no accumulation)."""
    logp = logp0.clone().requires_grad_(True)
    m = mask.clone()
    if mask_truncated:  # L2416-2421
        m = m * (~torch.tensor(truncated)).unsqueeze(1).double()
    o = logp.detach() if first_iteration else old
    a = {"advantages": advs.unsqueeze(1), "advantages_alt": advs_alt.unsqueeze(1), "token_advantages": tok_adv}[advantages]
    log_ratio = logp - o
    if level == "token":
        liw = log_ratio
    elif level == "sequence":
        liw = ((log_ratio * m).sum(-1) / m.sum(-1).clamp(min=1.0)).unsqueeze(-1)
    else:  # "sequence_token", gspo_token/grpo_trainer.py L78-82
        seq = ((log_ratio * m).sum(-1) / m.sum(-1).clamp(min=1.0)).detach().unsqueeze(-1)
        liw = logp - logp.detach() + seq
    coef_1 = torch.exp(liw)
    if beta != 0.0:
        kl = torch.exp(ref - logp) - (ref - logp) - 1
    coef_2 = torch.clamp(coef_1, 1 - eps_low, 1 + eps_high)
    c1 = coef_1 if delta is None else torch.clamp(coef_1, max=delta)
    ptl = -torch.min(c1 * a, coef_2 * a)
    if beta != 0.0:
        ptl = ptl + beta * kl
    if loss_type == "grpo":
        loss = ((ptl * m).sum(-1) / m.sum(-1).clamp(min=1.0)).mean()
    elif loss_type == "bnpo":
        loss = (ptl * m).sum() / m.sum().clamp(min=1.0)
    elif loss_type == "dr_grpo":
        loss = (ptl * m).sum() / (ptl.size(0) * max_len)
    elif loss_type == "dapo":
        loss = (ptl * m).sum() / max(items, 1.0)
    loss.backward()

    def gmm(x):
        if x.shape[1] == 1:
            return (x.sum() / max(float(x.shape[0]), 1.0)).item()
        return ((x * m).sum() / m.sum().clamp(min=1.0)).item()

    met = {"entropy": gmm(ent)}
    if beta != 0.0:
        met["kl"] = gmm(kl.detach())
    cd = coef_1.detach()
    lo = ((cd < 1 - eps_low) & (a < 0)).double()
    hi = ((cd > 1 + eps_high) & (a > 0)).double()
    met["clip_ratio/low_mean"] = gmm(lo)
    met["clip_ratio/high_mean"] = gmm(hi)
    met["clip_ratio/region_mean"] = gmm(((lo + hi) > 0).double())
    return {"loss": loss.item(), "grad": logp.grad.flatten().tolist(), "metrics": met}


cases = {}
for lt in ("grpo", "bnpo", "dr_grpo", "dapo"):
    cases[lt] = dict(loss_type=lt)
cases["grpo-symmetric-eps"] = dict(eps_low=0.2, eps_high=0.2)
cases["grpo-beta0"] = dict(beta=0.0)
cases["grpo-delta"] = dict(delta=1.5, eps_low=0.1, eps_high=0.1)
cases["grpo-no-delta"] = dict(eps_low=0.1, eps_high=0.1)
cases["grpo-first-iteration"] = dict(first_iteration=True)
cases["grpo-sequence"] = dict(level="sequence")
cases["grpo-sequence-token"] = dict(level="sequence_token")
cases["grpo-sequence-clipped"] = dict(level="sequence", eps_low=0.02, eps_high=0.03, advantages="advantages_alt")
cases["grpo-sequence-token-clipped"] = dict(level="sequence_token", eps_low=0.02, eps_high=0.03,
                                            advantages="advantages_alt")
cases["grpo-mask-truncated"] = dict(mask_truncated=True)
cases["dapo-mask-truncated"] = dict(loss_type="dapo", mask_truncated=True)
# REINFORCE++: OpenRLHF PolicyLoss (ppo, token-level mean, loss.py L166-193, L29-32) on per-token advantages = bnpo
cases["reinforce-pp"] = dict(loss_type="bnpo", beta=0.0, advantages="token_advantages")
cases["reinforce-pp-wide-clip"] = dict(loss_type="bnpo", beta=0.0, advantages="token_advantages", eps_low=0.1, eps_high=0.5)
results = {}
for name, kw in cases.items():
    results[name] = {"config": kw, **grpo_loss(**kw)}
out["grpo"] = results


# RLOO loss (rloo_trainer.py L1683-1696): sequence log-prob ratio, PPO clip, mean over sequences
def rloo_loss(eps_low=0.2, eps_high=0.2, clip=True, advs=advs_alt):
    logp = logp0.clone().requires_grad_(True)
    lp = (logp * mask).sum(1)
    old_lp = (old * mask).sum(1)
    c1 = torch.exp(lp - old_lp)
    if clip:
        c2 = torch.clamp(c1, 1 - eps_low, 1 + eps_high)
        loss = (-torch.min(c1 * advs, c2 * advs)).mean()
    else:
        loss = (-c1 * advs).mean()
    loss.backward()
    cd = c1.detach()
    lo = ((cd < 1 - eps_low) & (advs < 0)).double()
    hi = ((cd > 1 + eps_high) & (advs > 0)).double()
    met = {"entropy": ((ent * mask).sum() / mask.sum()).item()}
    if clip:
        met.update({"clip_ratio/low_mean": lo.mean().item(), "clip_ratio/high_mean": hi.mean().item(),
                    "clip_ratio/region_mean": ((lo + hi) > 0).double().mean().item()})
    return {"loss": loss.item(), "grad": logp.grad.flatten().tolist(), "metrics": met}


out["rloo"] = {"clip": {"config": {"eps_low": 0.2, "eps_high": 0.2}, **rloo_loss()},
               "clip-asym": {"config": {"eps_low": 0.5, "eps_high": 2.0}, **rloo_loss(0.5, 2.0, advs=advs)},
               "plain": {"config": {"clip": False}, **rloo_loss(clip=False)}}

# SPPO (uclaml/SPPO sppo/trainer.py L876-879): ((logπθ(y)−logπt(y)) − (1/β)(P̂ − ½))², averaged over the responses.
# Here the 6 rows are 3 (winner, loser) pairs; π_t log-probs are `ref`; the win rates P̂ are fixed numbers.
win = T([0.8, 0.3, 0.65, 0.45, 0.9, 0.1])
eta = 2.0  # η = 1/β
logp = logp0.clone().requires_grad_(True)
rho = (logp * mask).sum(1) - (ref * mask).sum(1)
sppo = ((rho - eta * (win - 0.5)) ** 2).mean()
sppo.backward()
out["sppo"] = {"win_rates": win.tolist(), "eta": eta, "loss": sppo.item(), "grad": logp.grad.flatten().tolist()}

# Nash-MD (nash_md_trainer.py L367-385): loss = mean_b[ β Σ_t sg(logp−ref)_t logp_t − (p − ½) Σ_t logp_t ],
# p = σ(r(y) − r(y')) of the policy sample against the mixture sample (L480-482); padding masked to 0 (L360-362).
prob = torch.sigmoid(T([0.4, -1.2, 2.0, 0.0, -0.3, 0.9]))
nb = 0.1
logp = logp0.clone().requires_grad_(True)
lpm = logp * mask
refm = ref * mask
score = (prob - 0.5) * lpm.sum(1)
lr = (lpm - refm).detach()
kl_loss = (lr * lpm).sum(1)
nash = (nb * kl_loss - score).mean()
nash.backward()
out["nash_md"] = {"probabilities": prob.tolist(), "beta": nb, "loss": nash.item(), "grad": logp.grad.flatten().tolist(),
                  "metrics": {"loss/score": score.mean().item(), "loss/kl": lr.sum(1).mean().item(),
                              "rewards/probabilities": prob.mean().item()}}
# INPO (arXiv 2407.00617): rows are (chosen, rejected) pairs; π_t log-probs are `old`, the reference `ref`.
ie, it = 1.5, 0.4
logp = logp0.clone().requires_grad_(True)
seq = lambda x: (x * mask).sum(1)
hv = (seq(logp)[0::2] - seq(logp)[1::2]) - ie * it * (seq(ref)[0::2] - seq(ref)[1::2]) \
    - (1 - ie * it) * (seq(old)[0::2] - seq(old)[1::2])
inpo = ((hv - ie / 2) ** 2).mean()
inpo.backward()
out["inpo"] = {"eta": ie, "tau": it, "loss": inpo.item(), "grad": logp.grad.flatten().tolist(),
               "metrics": {"h/mean": hv.mean().item(), "h/target": ie / 2}}
# The constant: on a tabular game with an intransitive P, the population loss
#   Σ_{y,y'} π_t(y) π_t(y') P(y ≻ y') (h(y, y') − η/2)²
# has zero gradient in the logits at log π_{t+1} = (1−ητ) log π_t + ητ log π_ref + η P(y ≻ π_t) (+ const).
n = 4
g = torch.Generator().manual_seed(3)
pt = torch.softmax(torch.randn(n, generator=g), 0)
pr = torch.softmax(torch.randn(n, generator=g), 0)
A = torch.rand(n, n, generator=g)
Pm = A / (A + A.t())  # P[y][y'] + P[y'][y] = 1, ½ on the diagonal
def pop_loss(theta):
    lp = torch.log_softmax(theta, 0)
    h = (lp[:, None] - lp[None, :]) - ie * it * (pr.log()[:, None] - pr.log()[None, :]) \
        - (1 - ie * it) * (pt.log()[:, None] - pt.log()[None, :])
    return (pt[:, None] * pt[None, :] * Pm * (h - ie / 2) ** 2).sum()
omd = (1 - ie * it) * pt.log() + ie * it * pr.log() + ie * (Pm @ pt)
theta = omd.clone().requires_grad_(True)
pop_loss(theta).backward()
assert theta.grad.abs().max().item() < 1e-12, theta.grad
for c in (ie / 4, ie):  # the same loss with another constant is not stationary there
    th = omd.clone().requires_grad_(True)
    lp = torch.log_softmax(th, 0)
    h = (lp[:, None] - lp[None, :]) - ie * it * (pr.log()[:, None] - pr.log()[None, :]) - (1 - ie * it) * (pt.log()[:, None] - pt.log()[None, :])
    (pt[:, None] * pt[None, :] * Pm * (h - c) ** 2).sum().backward()
    assert th.grad.abs().max().item() > 1e-4
out["inpo"]["tabular"] = {"pi_t": pt.tolist(), "pi_ref": pr.tolist(), "P": Pm.flatten().tolist(),
                          "omd_log_probs": torch.log_softmax(omd, 0).tolist()}

# Geometric mixture (nash_md_trainer.py L85-87): log_softmax(α·ref_logits + (1 − α)·policy_logits)
pl = T([[2.0, -1.0, 0.5, 0.0, 3.0], [-100.0, 100.0, 0.0, 1.0, -2.0]])
rl = T([[0.0, 1.0, 1.0, -0.5, 2.0], [0.0, 90.0, 5.0, 1.0, 0.0]])
alpha = 0.3
out["mixture"] = {"policy_logits": pl.flatten().tolist(), "reference_logits": rl.flatten().tolist(), "v": 5,
                  "alpha": alpha, "log_probs": F.log_softmax(alpha * rl + (1 - alpha) * pl, dim=-1).flatten().tolist()}

print(json.dumps(out, indent=1))
