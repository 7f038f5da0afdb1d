"""Reference optimizer trajectories from PyTorch, for engine/learn tests (run once; CI compares without Python).

Usage: /usr/bin/python3 scripts/reference/optimizer_trajectories.py > engine/learn/fixtures/optimizer-trajectories.json
Needs Debian's python3-torch. The problem is tiny and fully specified in the output, so the TypeScript side
rebuilds it exactly: loss = mean((tanh(X @ W + c) - Y)^2).
"""
import json
import math

import torch

torch.set_default_dtype(torch.float32)
STEPS = 100


def problem():
    # Deterministic, RNG-free data so both sides agree bit for bit on the inputs.
    X = [[math.sin(0.7 * i + 0.3 * j) for j in range(4)] for i in range(16)]
    Y = [[0.5 * math.cos(0.4 * i - 0.9 * k) for k in range(3)] for i in range(16)]
    W = [[0.1 * math.cos(1.3 * j + 0.5 * k) for k in range(3)] for j in range(4)]
    c = [0.05 * (k - 1) for k in range(3)]
    return X, Y, W, c


def run(name, make_optimizer):
    X, Y, W0, c0 = problem()
    x = torch.tensor(X)
    y = torch.tensor(Y)
    w = torch.tensor(W0, requires_grad=True)
    c = torch.tensor(c0, requires_grad=True)
    opt = make_optimizer([w, c])
    trajectory = []
    for _ in range(STEPS):
        opt.zero_grad()
        loss = ((torch.tanh(x @ w + c) - y) ** 2).mean()
        loss.backward()
        opt.step()
        trajectory.append({"loss": loss.item(), "W": w.detach().flatten().tolist(), "c": c.detach().tolist()})
    return trajectory


CASES = {
    "sgd": {"lr": 0.5},
    "momentum": {"lr": 0.1, "momentum": 0.9},
    "nesterov": {"lr": 0.1, "momentum": 0.9, "nesterov": True},
    "rprop": {"lr": 0.01, "etas": [0.5, 1.2], "step_sizes": [1e-6, 50]},
    "adam": {"lr": 0.01, "betas": [0.9, 0.999], "eps": 1e-8},
}


def build(name, params, settings):
    if name == "sgd":
        return torch.optim.SGD(params, lr=settings["lr"])
    if name in ("momentum", "nesterov"):
        return torch.optim.SGD(params, lr=settings["lr"], momentum=settings["momentum"], nesterov=settings.get("nesterov", False))
    if name == "rprop":
        return torch.optim.Rprop(params, lr=settings["lr"], etas=tuple(settings["etas"]), step_sizes=tuple(settings["step_sizes"]))
    if name == "adam":
        return torch.optim.Adam(params, lr=settings["lr"], betas=tuple(settings["betas"]), eps=settings["eps"])
    raise ValueError(name)


X, Y, W, c = problem()
print(json.dumps({
    "generatedBy": f"torch {torch.__version__}",
    "steps": STEPS,
    "problem": {"X": X, "Y": Y, "W": W, "c": c},
    "cases": {name: {"settings": s, "trajectory": run(name, lambda p, n=name, s=s: build(n, p, s))} for name, s in CASES.items()},
}))
