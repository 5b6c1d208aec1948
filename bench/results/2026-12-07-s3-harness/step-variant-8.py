ints: List[int], f: List[float], w: List[Tensor], st: List[Tensor], pw: List[Tensor]) -> List[Tensor]:
    # ints: ids (B), positions (B), S, heads, greedy, fused GELU; f: temperature, eps, sqrt(E), head rows, u (B);
    # st: bias, k0, v0, k1, v1, ...; pw: oneDNN-packed c_attn, c_proj, c_fc, mlp c_proj of each layer, or empty
    n = len(ints)
    b = (n - 4) // 2
    s = ints[n - 4]
    nh = ints[n - 3]
    packed = len(pw) > 0
    eps = f[1]
    idp = torch.tensor(ints, device=w[0].device)
    x = torch.embedding(w[0], idp.narrow(0, 0, b)) + torch.embedding(w[1], idp.narrow(0, b, b))
    d = x.size(1)
    e = d // nh
    bias = st[0].narrow(3, 0, s)
    for i in range((len(st) - 1) // 2):
        o = 2 + 12 * i
        kc = st[1 + 2 * i]
        vc = st[2 + 2 * i]
        hn = torch.layer_norm(x, [d], w[o], w[o + 1], eps)
        if packed:
            qkv = ops.mkldnn._linear_pointwise(hn, pw[4 * i], w[o + 3], "none", [], "")
        else:
            qkv = torch.addmm(w[o + 3], hn, w[o + 2])
        q = qkv.narrow(1, 0, d).reshape(b, nh, 1, e)
        kc.narrow(2, s - 1, 1).copy_(qkv.narrow(1, d, d).reshape(b, nh, 1, e))
        vc.narrow(2, s - 1, 1).copy_(qkv.narrow(1, 2 * d, d).reshape(b, nh, 1, e))
        att = torch.matmul(q, kc.narrow(2, 0, s).transpose(2, 3)).div_(f[2]).add_(bias)
        y = torch.matmul(torch.softmax(att, -1), vc.narrow(2, 0, s)).reshape(b, d)
        if packed:
            x = x + ops.mkldnn._linear_pointwise(y, pw[4 * i + 1], w[o + 5], "none", [], "")
            hn = torch.layer_norm(x, [d], w[o + 6], w[o + 7], eps)
            if ints[n - 1] == 1:
                a = ops.mkldnn._linear_pointwise(hn, pw[4 * i + 2], w[o + 9], "gelu", [], "tanh")
            else:
                a = torch.gelu(ops.mkldnn._linear_pointwise(hn, pw[4 * i + 2], w[o + 9], "none", [], ""), approximate="tanh")
            x = x + ops.mkldnn._linear_pointwise(a, pw[4 * i + 3], w[o + 11], "none", [], "")
        else:
            x = torch.addmm(w[o + 5], y, w[o + 4]).add_(x)
            hn = torch.layer_norm(x, [d], w[o + 6], w[o + 7], eps)
            x = torch.addmm(w[o + 11], torch.gelu_(torch.addmm(w[o + 9], hn, w[o + 8]), approximate="tanh"), w[o + 10]).add_(x)
    m = len(w)
    x = torch.layer_norm(x, [d], w[m - 3], w[m - 2], eps)
    hc = int(f[3])
    if packed and len(pw) > 2 * (len(st) - 1):
        logits = ops.mkldnn._linear_pointwise(x, pw[len(pw) - 1], None, "none", [], "")
    elif hc >= w[m - 1].size(0):
        logits = torch.mm(x, w[m - 1].t())
    else:
        logits = torch.cat([torch.mm(x, c.t()) for c in torch.split(w[m - 1], hc)], 1)
    lsm = torch.log_softmax(logits, -1)
    mode = ints[n - 2]
    if mode == 1:
        ch = torch.argmax(logits, -1)
    else:
        # a division by 1 is exact: skipped
        pr = torch.softmax(logits / f[0], -1) if f[0] != 1.0 else torch.softmax(logits, -1)
        if mode == 2:
            return [pr, lsm]
        # Sampler.draw without filters: cumsum of float64 probabilities runs in id order, as the host's loop (7: float64)
        cum = torch.cumsum(torch.to(pr, 7), -1)
        v = cum.size(1)
        target = torch.tensor(f[4:], dtype=7, device=cum.device).mul_(cum.select(1, v - 1))
        # the first id whose running sum passes the target (the sums never decrease): V when none does, which
        # the host resolves from the step's rows (Sampler.draw: the last token with mass)
        ch = torch.searchsorted(cum, target.unsqueeze(1), right=True).squeeze(1)
        lp = lsm.gather(1, ch.clamp(max=v - 1).unsqueeze(1)).squeeze(1)
        return [torch.stack([torch.to(ch, 7), torch.to(lp, 7)])]
    lp = lsm.gather(1, ch.unsqueeze(1)).squeeze(1)
    return [torch.stack([torch.to(ch, 7), torch.to(lp, 7)])]
