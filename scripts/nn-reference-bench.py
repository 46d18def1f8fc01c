"""PyTorch reference timings for `npm run bench -- nn` (issue 4's small and medium configurations).

Prints one JSON object: median milliseconds for a training step (forward, loss, backward, Adam) and
for inference at batch 1 and 64, on one thread. Run with Debian's /usr/bin/python3 (python3-torch).
"""
import json
import sys
import time

import torch
import torch.nn as nn

torch.set_num_threads(1)
torch.manual_seed(0)

CONFIGS = {
    "small": dict(batch=64, seq=30, features=32, d=64, heads=4, layers=2, ff=256),
    "medium": dict(batch=128, seq=60, features=48, d=128, heads=8, layers=4, ff=512),
}


class Model(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.embed = nn.Linear(c["features"], c["d"])
        self.pos = nn.Parameter(torch.randn(200, c["d"]))
        layer = nn.TransformerEncoderLayer(c["d"], c["heads"], c["ff"], dropout=0.0, activation="gelu", batch_first=True)
        self.encoder = nn.TransformerEncoder(layer, c["layers"])
        self.policy = nn.Linear(c["d"], 3)
        self.value = nn.Linear(c["d"], 1)

    def forward(self, x):
        h = self.embed(x) + self.pos[: x.shape[1]]
        h = self.encoder(h).mean(1)
        return torch.log_softmax(self.policy(h), -1), self.value(h).squeeze(-1)


def median_ms(fn, runs, warmup=2):
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return times[len(times) // 2]


def main():
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 7
    out = {"torch": torch.__version__, "threads": torch.get_num_threads()}
    for name, c in CONFIGS.items():
        model = Model(c)
        opt = torch.optim.Adam(model.parameters(), lr=3e-4)
        x = torch.randn(c["batch"], c["seq"], c["features"])
        a = torch.randint(0, 3, (c["batch"],))
        adv = torch.randn(c["batch"])
        ret = torch.randn(c["batch"])

        def step():
            logp, v = model(x)
            loss = -(logp.gather(1, a[:, None]).squeeze(1) * adv).mean() + 0.5 * ((v - ret) ** 2).mean()
            opt.zero_grad()
            loss.backward()
            opt.step()

        out[f"train_{name}"] = median_ms(step, runs if name == "small" else max(3, runs // 2))
        if name == "small":
            model.eval()
            with torch.no_grad():
                x1 = x[:1].clone()
                out["infer_small_b1"] = median_ms(lambda: model(x1), runs * 3)
                out["infer_small_b64"] = median_ms(lambda: model(x), runs * 3)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
