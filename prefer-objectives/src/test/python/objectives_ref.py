#!/usr/bin/python3
"""Independent reference numbers for prefer-objectives, written with PyTorch (Debian python3-torch 1.13) in
float64 after the formulas of TRL's trainers (dpo_trainer.py `dpo_loss`, cpo_trainer.py `simpo`, orpo_trainer.py
`odds_ratio_loss`, kto_trainer.py `kto_loss`), the LiPO paper (arXiv 2402.01878) and the MODPO authors' code.
It does not read or run any Java code. ReferenceNumbersTest compares the Java objectives with the printed JSON,
committed as src/test/resources/dev/prefer/objectives/reference-numbers.json.

  /usr/bin/python3 prefer-objectives/src/test/python/objectives_ref.py \
      > prefer-objectives/src/test/resources/dev/prefer/objectives/reference-numbers.json
"""
import json
import math

import torch
import torch.nn.functional as F

torch.set_default_dtype(torch.float64)
T = torch.tensor

# ---- pairs: summed log-probs and completion token counts ----
pc = T([-12.5, -30.25, -7.0, -55.5])     # policy chosen
pr = T([-14.0, -28.0, -9.5, -50.25])     # policy rejected
rc = T([-13.0, -29.0, -8.25, -54.0])     # reference chosen
rr = T([-13.5, -29.5, -8.0, -52.0])      # reference rejected
nc = T([5.0, 12.0, 3.0, 20.0])           # chosen tokens
nr = T([6.0, 10.0, 4.0, 18.0])           # rejected tokens
beta = 0.1

chosen_lr = pc - rc
rejected_lr = pr - rr
logits = chosen_lr - rejected_lr
out = {"pairs": {"policy_chosen": pc.tolist(), "policy_rejected": pr.tolist(), "reference_chosen": rc.tolist(),
                 "reference_rejected": rr.tolist(), "tokens_chosen": nc.tolist(), "tokens_rejected": nr.tolist(),
                 "beta": beta}}
L = {}
L["dpo"] = (-F.logsigmoid(beta * logits)).mean().item()
eps = 0.1
L["cdpo"] = (-F.logsigmoid(beta * logits) * (1 - eps) - F.logsigmoid(-beta * logits) * eps).mean().item()
L["robust-dpo"] = ((-F.logsigmoid(beta * logits) * (1 - eps) + F.logsigmoid(-beta * logits) * eps) / (1 - 2 * eps)).mean().item()
L["ipo"] = ((logits - 1 / (2 * beta)) ** 2).mean().item()
mean_logits = (pc / nc - rc / nc) - (pr / nr - rr / nr)
L["ln-ipo"] = ((mean_logits - 1 / (2 * beta)) ** 2).mean().item()
L["hinge"] = torch.relu(1 - beta * logits).mean().item()
e3 = 1e-3
L["exo"] = ((beta * logits).sigmoid() * (F.logsigmoid(beta * logits) - math.log(1 - e3))
            + (-beta * logits).sigmoid() * (F.logsigmoid(-beta * logits) - math.log(e3))).mean().item()
cr, rj = chosen_lr * beta, rejected_lr * beta
L["nca"] = (-F.logsigmoid(cr) - 0.5 * F.logsigmoid(-cr) - 0.5 * F.logsigmoid(-rj)).mean().item()
L["apo-zero"] = ((1 - torch.sigmoid(beta * chosen_lr)) + torch.sigmoid(beta * rejected_lr)).mean().item()
L["apo-down"] = (torch.sigmoid(beta * chosen_lr) + 1 - torch.sigmoid(beta * (chosen_lr - rejected_lr))).mean().item()
L["sppo-hard"] = ((chosen_lr - 0.5 / beta) ** 2 + (rejected_lr + 0.5 / beta) ** 2).mean().item()
rewards = torch.cat((beta * chosen_lr, beta * rejected_lr), 0).mean()
L["bco"] = (-F.logsigmoid(beta * chosen_lr - rewards) - F.logsigmoid(-(beta * rejected_lr - rewards))).mean().item()
d = torch.sort(pc - pr, dim=0)[0] - torch.sort(rc - rr, dim=0)[0]
L["aot"] = (-F.logsigmoid(beta * d)).mean().item()
d = torch.sort(chosen_lr, dim=0)[0] - torch.sort(rejected_lr, dim=0)[0]
L["aot-unpaired"] = (-F.logsigmoid(beta * d)).mean().item()
# SimPO (TRL CPO, loss_type="simpo"): logits = (mean_c - mean_r) - gamma/beta, loss = -logsigmoid(beta*logits)
sb, sg = 2.0, 0.5
L["simpo"] = (-F.logsigmoid(sb * ((pc / nc - pr / nr) - sg / sb))).mean().item()
# ORPO (TRL odds_ratio_loss on mean log-probs), NLL as the per-sequence mean token NLL of the chosen response
lam = 0.1
c, r = pc / nc, pr / nr
log_odds = (c - r) - (torch.log1p(-torch.exp(c)) - torch.log1p(-torch.exp(r)))
L["orpo"] = (-c - lam * F.logsigmoid(log_odds)).mean().item()
eta = 1.0
L["rpo"] = (-F.logsigmoid(beta * logits) + eta * (-pc / nc)).mean().item()
L["sft"] = (-pc / nc).mean().item()
L["ln-dpo"] = (-F.logsigmoid(beta * mean_logits)).mean().item()
# MODPO (authors' modpo_loss): rewards (1/w0)(beta*logratio - margin_reward @ w[1:])
w = T([0.5, 0.3, 0.2])
chosen_scores = T([[0.9, 0.1], [0.4, 0.5], [0.2, 0.8], [0.7, 0.7]])
rejected_scores = T([[0.3, 0.2], [0.6, 0.1], [0.2, 0.9], [0.1, 0.4]])
ch = (1 / w[0]) * (beta * chosen_lr - chosen_scores @ w[1:])
rj2 = (1 / w[0]) * (beta * rejected_lr - rejected_scores @ w[1:])
L["modpo"] = (-F.logsigmoid(ch - rj2)).mean().item()
out["pairs"]["modpo_weights"] = w.tolist()
out["pairs"]["chosen_scores"] = chosen_scores.tolist()
out["pairs"]["rejected_scores"] = rejected_scores.tolist()
# weighted mean with per-row weights
wts = T([1.0, 0.5, 2.0, 0.0])
L["dpo-weighted"] = ((-F.logsigmoid(beta * logits)) * wts).sum().item() / wts.sum().item()
out["pairs"]["weights"] = wts.tolist()
out["pairs"]["losses"] = L
out["pairs"]["metrics"] = {
    "rewards/chosen": (beta * chosen_lr).mean().item(), "rewards/rejected": (beta * rejected_lr).mean().item(),
    "rewards/margins": (beta * chosen_lr - beta * rejected_lr).mean().item(),
    "rewards/accuracies": (beta * chosen_lr > beta * rejected_lr).double().mean().item()}

# ---- lists: K = 4 per group, graded labels (a tie in group 1) ----
K = 4
lp = T([[-10.0, -12.0, -9.0, -15.0], [-20.0, -18.5, -22.0, -19.0], [-5.0, -7.5, -6.0, -4.0]])
lr_ = T([[-11.0, -11.5, -10.0, -14.0], [-19.0, -19.5, -21.0, -20.0], [-6.0, -7.0, -5.5, -4.5]])
psi = T([[3.0, 1.0, 2.0, 0.0], [1.0, 2.0, 0.0, 1.0], [0.5, 0.25, 0.0, 1.0]])
lb = 0.5
s = lb * (lp - lr_)


def lipo_lambda(s, psi, lambda_weights=True):
    total = []
    for g in range(s.shape[0]):
        order = torch.argsort(s[g], descending=True)
        tau = torch.empty(K)
        tau[order] = torch.arange(1, K + 1, dtype=torch.float64)
        G = 2 ** psi[g] - 1
        invD = 1 / torch.log2(1 + tau)
        loss = 0.0
        for i in range(K):
            for j in range(K):
                if psi[g, i] > psi[g, j]:
                    delta = abs(G[i] - G[j]) * abs(invD[i] - invD[j]) if lambda_weights else 1.0
                    loss = loss + delta * torch.log1p(torch.exp(-(s[g, i] - s[g, j])))
        total.append(loss)
    return torch.stack(total).mean().item()


def list_mle(s, psi):
    total = []
    for g in range(s.shape[0]):
        # order by label, best first, ties by index (stable sort of -psi)
        order = sorted(range(K), key=lambda j: (-psi[g, j].item(), j))
        ss = s[g, order]
        total.append(sum(torch.logsumexp(ss[k:], 0) - ss[k] for k in range(K)))
    return torch.stack(total).mean().item()


def softmax_ce(s, psi):
    p = psi / psi.sum(1, keepdim=True)
    return (-(p * torch.log_softmax(s, 1)).sum(1)).mean().item()


out["lists"] = {"k": K, "policy": lp.tolist(), "reference": lr_.tolist(), "labels": psi.tolist(), "beta": lb,
                "losses": {"lipo-lambda": lipo_lambda(s, psi), "lipo-pair-logistic": lipo_lambda(s, psi, False),
                           "plackett-luce": list_mle(s, psi), "softmax-listwise": softmax_ce(s, psi)}}

# ---- unpaired (KTO): labels, and KL samples from mismatched pairs ----
up = T([-10.0, -12.0, -8.0, -20.0, -15.0, -9.0])
ur = T([-11.0, -11.0, -8.5, -18.0, -15.5, -10.0])
lab = T([1.0, 0.0, 1.0, 0.0, 1.0, 0.0])
klp = T([-14.0, -13.0, -12.5, -16.0, -11.0, -15.0])
klr = T([-14.5, -13.0, -13.0, -16.5, -11.5, -15.0])
kb = 0.1
kl = (klp - klr).mean().clamp(min=0)
lr_u = up - ur
chosen = 1 - torch.sigmoid(kb * (lr_u - kl))
rejected = 1 - torch.sigmoid(kb * (kl - lr_u))
kto = torch.where(lab > 0.5, 1.0 * chosen, 1.0 * rejected).mean().item()
kto_nokl = torch.where(lab > 0.5, 1 - torch.sigmoid(kb * lr_u), 1 - torch.sigmoid(-kb * lr_u)).mean().item()
uw = kb * lr_u
delta = uw.mean()
bco_u = torch.where(lab > 0.5, -F.logsigmoid(uw - delta), -F.logsigmoid(-(uw - delta))).mean().item()
out["unpaired"] = {"policy": up.tolist(), "reference": ur.tolist(), "labels": lab.tolist(), "kl_policy": klp.tolist(),
                   "kl_reference": klr.tolist(), "beta": kb,
                   "losses": {"kto": kto, "kto-no-kl": kto_nokl, "bco-unpaired": bco_u}}
out["torch"] = torch.__version__
print(json.dumps(out, indent=1))
