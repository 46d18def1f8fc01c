"""PyTorch reference for bench/train.bench.ts and docs/agents.md: the specification's design on the
same sizes as the default Dow-30 config (observation 1841, MLP 64, 30 assets, 8 envs x 16 states x
G 8). Measures (a) the specification's select_action (one batch-1 forward per action) and (b) one
GRPO optimisation step (clipped ratio + k3 KL, Adam, clipping) on the [128 x 8] batch.
Run: OPENBLAS_NUM_THREADS=1 /usr/bin/python3 scripts/train-reference-bench.py  -> one JSON line."""
import json, math, time
import torch

torch.set_num_threads(1)
torch.manual_seed(0)
D, H, A, B, G = 1841, 64, 30, 128, 8


class Policy(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.hidden = torch.nn.Linear(D, H)
        self.out = torch.nn.Linear(H, A)
        self.log_std = torch.nn.Parameter(torch.full((A,), math.log(0.3)))

    def forward(self, x):
        return self.out(torch.tanh(self.hidden(x)))


policy = Policy()
optimizer = torch.optim.Adam(policy.parameters(), lr=1e-7)  # timing only: random advantages would diverge at a real rate


def median(xs):
    xs = sorted(xs)
    return xs[len(xs) // 2]


def select_action_ms(n=500):
    state = torch.randn(D)
    for _ in range(50):
        with torch.no_grad():
            policy(state.unsqueeze(0))
    t = time.perf_counter()
    for _ in range(n):
        with torch.no_grad():
            mean = policy(state.unsqueeze(0))
            torch.distributions.Normal(mean, policy.log_std.exp()).sample()
    return (time.perf_counter() - t) / n * 1000


def log_probs(obs, actions):
    mean = policy(obs).unsqueeze(1)
    std = policy.log_std.clamp(-5, 1).exp()
    return torch.distributions.Normal(mean, std).log_prob(actions).sum(-1)


obs = torch.randn(B, D)
actions = torch.randn(B, G, A) * 0.3
adv = torch.randn(B, G)
with torch.no_grad():
    old = log_probs(obs, actions)
    ref = old.clone()


def step():
    lp = log_probs(obs, actions)
    ratio = (lp - old).exp()
    surrogate = torch.min(ratio * adv, ratio.clamp(0.8, 1.28) * adv)
    d = ref - lp
    k3 = d.exp() - d - 1
    loss = -surrogate.mean() + 0.04 * k3.mean()
    optimizer.zero_grad()
    loss.backward()
    torch.nn.utils.clip_grad_norm_(policy.parameters(), 1.0)
    optimizer.step()


for _ in range(5):
    step()
times = []
for _ in range(20):
    t = time.perf_counter()
    step()
    times.append((time.perf_counter() - t) * 1000)
print(json.dumps({"torch": torch.__version__, "select_action_ms": select_action_ms(), "grpo_step_ms": median(times)}))
