"""PyTorch references for bench/train.bench.ts (`train.dow30`, `train.deepseek_dow30`) and docs/agents.md.

The same networks at the same sizes as the benchmarks' configs (Dow 30, lookback 5, 12 features:
observation 1841 = window 5 x 360 + weights 30 + 10 returns + 1; 8 envs x 16 states x G 8, 2 epochs):
  mlp       Linear(1841, 64) -> tanh -> Linear(64, 30), state-independent log-std
  deepseek  FeatureAttentionModule(360, h, 4 heads) -> TemporalEncoder(360, h, 2 layers, 4 heads)
            -> DeepSeekPolicyNetwork(401, 30, h, 4 decoder layers, 8 heads, causal, memory) ->
            Linear -> GELU -> Linear; FF 4h, dropout 0.1, h = 128 (the specification's sizes)
Measures:
  select_action_ms   the specification's select_action: one batch-1 forward per action
  grpo_step_ms       one optimisation step (clipped ratio + k3 KL, Adam, clipping) on [128 x 8]
  batched_update_ms  one whole GRPO update as a batched PyTorch loop does it: 16 policy calls at
                     batch 8 (collection; environments not included), old and reference
                     log-probabilities at batch 128, 2 optimisation steps
Run: /usr/bin/python3 scripts/train-reference-bench.py [mlp|deepseek] [threads, default 1] -> one JSON line."""
import json
import math
import sys
import time

import torch
import torch.nn as nn

torch.set_num_threads(int(sys.argv[2]) if len(sys.argv) > 2 else 1)
torch.manual_seed(0)
L, A, F = 5, 30, 12
WINDOW = L * A * F
REST = A + 10 + 1
D = WINDOW + REST
N, T, G, EPOCHS = 8, 16, 8, 2
B = N * T


class MlpPolicy(nn.Module):
    def __init__(self, hidden=64):
        super().__init__()
        self.hidden = nn.Linear(D, hidden)
        self.out = nn.Linear(hidden, A)
        self.log_std = nn.Parameter(torch.full((A,), math.log(0.3)))

    def forward(self, x):
        return self.out(torch.tanh(self.hidden(x)))


def sinusoidal(length, d):
    position = torch.arange(length).unsqueeze(1)
    div = torch.exp(torch.arange(0, d, 2) * (-math.log(10000.0) / d))
    pe = torch.zeros(length, d)
    pe[:, 0::2] = torch.sin(position * div)
    pe[:, 1::2] = torch.cos(position * div)
    return pe


class DeepSeekPolicy(nn.Module):
    def __init__(self, h=128, enc_layers=2, enc_heads=4, att_heads=4, dec_layers=4, dec_heads=8, dropout=0.1):
        super().__init__()
        fdim = A * F
        self.projection = nn.Linear(fdim, h)
        self.attention = nn.MultiheadAttention(h, att_heads, batch_first=True)
        self.importance = nn.Sequential(nn.Linear(h, h), nn.GELU(), nn.Linear(h, fdim))
        self.embed = nn.Linear(fdim, h)
        self.dropout = nn.Dropout(dropout)
        self.encoder = nn.TransformerEncoder(nn.TransformerEncoderLayer(h, enc_heads, 4 * h, dropout, activation="gelu", batch_first=True), enc_layers)
        self.state_embedding = nn.Linear(fdim + REST, h)
        self.decoder = nn.TransformerDecoder(nn.TransformerDecoderLayer(h, dec_heads, 4 * h, dropout, activation="gelu", batch_first=True), dec_layers)
        self.head = nn.Sequential(nn.Linear(h, h), nn.GELU(), nn.Linear(h, A))
        self.log_std = nn.Parameter(torch.full((A,), math.log(0.3)))
        self.register_buffer("pe", sinusoidal(L, h))
        self.register_buffer("causal", torch.triu(torch.full((L, L), float("-inf")), 1))

    def forward(self, x):
        window = x[:, :WINDOW].reshape(-1, L, A * F)
        rest = x[:, WINDOW:]
        projected = self.projection(window)
        attended, _ = self.attention(projected, projected, projected, need_weights=False)
        weighted = window * torch.softmax(self.importance(attended), -1) * (A * F)
        memory = self.encoder(self.dropout(self.embed(weighted) + self.pe))
        tokens = torch.cat([weighted, rest.unsqueeze(1).expand(-1, L, -1)], -1)
        target = self.dropout(self.state_embedding(tokens) + self.pe)
        out = self.decoder(target, memory, tgt_mask=self.causal)
        return self.head(out[:, -1])


def median(xs):
    xs = sorted(xs)
    return xs[len(xs) // 2]


def timed(fn, runs, warmup=2):
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    return median(times)


def main():
    kind = sys.argv[1] if len(sys.argv) > 1 else "mlp"
    policy = MlpPolicy() if kind == "mlp" else DeepSeekPolicy()
    runs = 20 if kind == "mlp" else 5
    optimizer = torch.optim.Adam(policy.parameters(), lr=1e-7)  # timing only: random advantages would diverge at a real rate
    obs = torch.randn(B, D)
    actions = torch.randn(B, G, A) * 0.3
    adv = torch.randn(B, G)

    def log_probs(observations, acts):
        mean = policy(observations).unsqueeze(1)
        std = policy.log_std.clamp(-5, 1).exp()
        return torch.distributions.Normal(mean, std).log_prob(acts).sum(-1)

    def select_action():
        policy.eval()
        with torch.no_grad():
            mean = policy(obs[:1])
            torch.distributions.Normal(mean, policy.log_std.exp()).sample()

    def grpo_step(old, ref):
        policy.train()
        lp = log_probs(obs, actions)
        ratio = (lp - old).exp()
        surrogate = torch.min(ratio * adv, ratio.clamp(0.8, 1.28) * adv)
        d = ref - lp
        loss = -surrogate.mean() + 0.04 * (d.exp() - d - 1).mean()
        optimizer.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(policy.parameters(), 1.0)
        optimizer.step()

    def old_and_reference():
        policy.eval()
        with torch.no_grad():
            return log_probs(obs, actions), log_probs(obs, actions)

    def update():
        policy.eval()
        with torch.no_grad():
            for t in range(T):
                mean = policy(obs[t * N:(t + 1) * N])
                (mean.unsqueeze(1) + policy.log_std.exp() * torch.randn(N, G, A)).numpy()
        old, ref = old_and_reference()
        for _ in range(EPOCHS):
            grpo_step(old, ref)

    old, ref = old_and_reference()
    out = {
        "torch": torch.__version__,
        "threads": torch.get_num_threads(),
        "network": kind,
        "parameters": sum(p.numel() for p in policy.parameters()),
        "select_action_ms": timed(select_action, runs * 10),
        "grpo_step_ms": timed(lambda: grpo_step(old, ref), runs),
        "batched_update_ms": timed(update, runs),
    }
    print(json.dumps(out))


if __name__ == "__main__":
    main()
