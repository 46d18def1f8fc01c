"""Generate PyTorch reference outputs for src/nn parity tests (test/fixtures/nn/*.json).

Run once with Debian's python3-torch: /usr/bin/python3 scripts/make-nn-fixtures.py
Weights are written under the names of our parameter trees; Linear weights are transposed to our
[in, out] layout. Everything is float32, eval mode (dropout off), PyTorch's post-norm layers with
exact GELU.
"""
import json
import math
import os

import torch
import torch.nn as nn

torch.manual_seed(1234)
OUT = os.path.join(os.path.dirname(__file__), "..", "test", "fixtures", "nn")


def tensor(t):
    t = t.detach().to(torch.float32).contiguous()
    return {"shape": list(t.shape), "data": [float(v) for v in t.reshape(-1).tolist()]}


def linear_params(prefix, layer, out):
    out[prefix + ".weight"] = tensor(layer.weight.t())
    out[prefix + ".bias"] = tensor(layer.bias)


def attention_params(prefix, mha, out):
    out[prefix + ".inProjection.weight"] = tensor(mha.in_proj_weight.t())
    out[prefix + ".inProjection.bias"] = tensor(mha.in_proj_bias)
    linear_params(prefix + ".outProjection", mha.out_proj, out)


def norm_params(prefix, norm, out):
    out[prefix + ".weight"] = tensor(norm.weight)
    out[prefix + ".bias"] = tensor(norm.bias)


def randomise(module):
    # Non-default values everywhere (LayerNorm scale/shift and zero biases included).
    with torch.no_grad():
        for p in module.parameters():
            p.copy_(torch.randn_like(p) * 0.3)


def sinusoidal(length, d):
    position = torch.arange(length, dtype=torch.float32).unsqueeze(1)
    div_term = torch.exp(torch.arange(0, d, 2, dtype=torch.float32) * (-math.log(10000.0) / d))
    pe = torch.zeros(length, d)
    pe[:, 0::2] = torch.sin(position * div_term)
    pe[:, 1::2] = torch.cos(position * div_term)
    return pe


def write(name, payload):
    os.makedirs(OUT, exist_ok=True)
    with open(os.path.join(OUT, name), "w") as f:
        json.dump(payload, f)
    print("wrote", name)


def temporal_encoder_fixture():
    F, d, H, L, FF, B, T = 5, 8, 2, 2, 16, 2, 6
    embed = nn.Linear(F, d)
    layer = nn.TransformerEncoderLayer(d, H, FF, dropout=0.0, activation="gelu", batch_first=True)
    encoder = nn.TransformerEncoder(layer, L, enable_nested_tensor=False)
    pool = nn.Linear(d, 1)
    for m in (embed, encoder, pool):
        randomise(m)
    params = {}
    linear_params("featureEmbedding", embed, params)
    for i, lyr in enumerate(encoder.layers):
        p = f"layers.{i}"
        attention_params(p + ".selfAttention", lyr.self_attn, params)
        linear_params(p + ".linear1", lyr.linear1, params)
        linear_params(p + ".linear2", lyr.linear2, params)
        norm_params(p + ".norm1", lyr.norm1, params)
        norm_params(p + ".norm2", lyr.norm2, params)
    linear_params("pooling", pool, params)
    x = torch.randn(B, T, F)
    lengths = [6, 4]
    encoder.eval()

    def run(mask):
        h = embed(x) + sinusoidal(T, d)
        # The slow (reference) path: call each layer's python forward with the fast path disabled.
        for lyr in encoder.layers:
            sa, _ = lyr.self_attn(h, h, h, key_padding_mask=mask, need_weights=False)
            h = lyr.norm1(h + sa)
            h = lyr.norm2(h + lyr.linear2(torch.nn.functional.gelu(lyr.linear1(h))))
        scores = pool(h).squeeze(-1)
        if mask is not None:
            scores = scores.masked_fill(mask, float("-inf"))
        w = torch.softmax(scores, -1)
        return (w.unsqueeze(-1) * h).sum(1), w

    with torch.no_grad():
        pooled, weights = run(None)
        mask = torch.tensor([[s >= n for s in range(T)] for n in lengths])
        pooled_masked, weights_masked = run(mask)
    write("temporal-encoder.json", {
        "config": dict(featureDim=F, hiddenDim=d, numHeads=H, numLayers=L, feedForward=FF, dropout=0.0),
        "params": params, "x": tensor(x), "lengths": lengths,
        "pooled": tensor(pooled), "weights": tensor(weights),
        "pooledMasked": tensor(pooled_masked), "weightsMasked": tensor(weights_masked),
    })


def decoder_layer_fixture():
    d, H, FF, B, Lq, S = 8, 2, 16, 2, 5, 7
    layer = nn.TransformerDecoderLayer(d, H, FF, dropout=0.0, activation="gelu", batch_first=True)
    randomise(layer)
    layer.eval()
    params = {}
    attention_params("selfAttention", layer.self_attn, params)
    attention_params("crossAttention", layer.multihead_attn, params)
    linear_params("linear1", layer.linear1, params)
    linear_params("linear2", layer.linear2, params)
    norm_params("norm1", layer.norm1, params)
    norm_params("norm2", layer.norm2, params)
    norm_params("norm3", layer.norm3, params)
    target = torch.randn(B, Lq, d)
    memory = torch.randn(B, S, d)
    causal = torch.triu(torch.full((Lq, Lq), float("-inf")), diagonal=1)
    with torch.no_grad():
        out = layer(target, memory, tgt_mask=causal)
    write("decoder-layer.json", {
        "config": dict(dModel=d, numHeads=H, feedForward=FF),
        "params": params, "target": tensor(target), "memory": tensor(memory), "output": tensor(out),
    })


def attention_fixture(name="attention.json", L=4, lengths=None):
    """nn.MultiheadAttention, d 8, 2 heads, batch 2; with `lengths`, a key padding mask."""
    d, H, B = 8, 2, 2
    mha = nn.MultiheadAttention(d, H, batch_first=True)
    randomise(mha)
    params = {}
    attention_params("", mha, params)
    params = {k.lstrip("."): v for k, v in params.items()}
    x = torch.randn(B, L, d)
    mask = None if lengths is None else torch.tensor([[i >= n for i in range(L)] for n in lengths])
    with torch.no_grad():
        out, weights = mha(x, x, x, key_padding_mask=mask, need_weights=True, average_attn_weights=True)
    payload = {"params": params, "x": tensor(x), "output": tensor(out), "weights": tensor(weights)}
    if lengths is not None:
        payload["lengths"] = lengths
    write(name, payload)


def adam_fixture():
    result = {}
    for name, cls, kwargs in (
        ("adam", torch.optim.Adam, dict(lr=0.1, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0)),
        ("adam_l2", torch.optim.Adam, dict(lr=0.05, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.1)),
        ("adamw", torch.optim.AdamW, dict(lr=0.1, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.01)),
    ):
        p = torch.nn.Parameter(torch.tensor([0.5, -1.0, 2.0, 0.0]))
        opt = cls([p], **kwargs)
        grads = [[0.1, -0.2, 0.3, 0.0], [0.05, 0.4, -0.1, 1.0], [-0.3, 0.1, 0.2, -0.5]]
        history = []
        for g in grads:
            p.grad = torch.tensor(g)
            opt.step()
            history.append([float(v) for v in p.detach().tolist()])
        result[name] = {"options": kwargs, "initial": [0.5, -1.0, 2.0, 0.0], "grads": grads, "history": history}
    # Clipping: clip_grad_norm_(max_norm=0.5) before each Adam step.
    p = torch.nn.Parameter(torch.tensor([0.5, -1.0, 2.0, 0.0]))
    opt = torch.optim.Adam([p], lr=0.1)
    grads = [[3.0, -4.0, 0.0, 0.0], [0.1, 0.1, 0.1, 0.1]]
    history = []
    for g in grads:
        p.grad = torch.tensor(g)
        torch.nn.utils.clip_grad_norm_([p], 0.5)
        opt.step()
        history.append([float(v) for v in p.detach().tolist()])
    result["adam_clip"] = {"options": dict(lr=0.1, max_norm=0.5), "initial": [0.5, -1.0, 2.0, 0.0], "grads": grads, "history": history}
    write("adam.json", result)


if __name__ == "__main__":
    print("torch", torch.__version__)
    temporal_encoder_fixture()
    decoder_layer_fixture()
    attention_fixture()
    adam_fixture()
    # Six keys (not a multiple of 4, so grpo-trader pads them internally) and a key padding mask.
    attention_fixture("attention-padded-keys.json", L=6, lengths=[6, 4])
