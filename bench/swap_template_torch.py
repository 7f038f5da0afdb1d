"""PyTorch twin of Unmask's 64 px template swap model (engine/swap/template-model.ts), for bench/swap-train.bench.ts.

Same layers, shapes, loss (masked 7x7 SSIM + weighted L1 + mask MSE, per identity) and optimizer (Adam, beta1 0.5)
on random data; prints one JSON line: {"steps_per_sec": ..., "params": ..., "threads": ...}.
Usage: python3 swap_template_torch.py <batch per identity> <steps> <threads> [json architecture]
"""
import json
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

batch, steps, threads = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
arch = json.loads(sys.argv[4]) if len(sys.argv) > 4 else {
    "size": 64, "encoderWidths": [32, 64, 128, 256], "latentDim": 128, "bottleneckChannels": 128, "upWidths": [128, 64, 32, 16]}
torch.set_num_threads(threads)
torch.manual_seed(1)


def down(cin, cout):
    return nn.Sequential(nn.Conv2d(cin, cout, 5, 2, 2), nn.LeakyReLU(0.1))


def up(cin, cout):
    return nn.Sequential(nn.Conv2d(cin, cout * 4, 3, 1, 1), nn.LeakyReLU(0.1), nn.PixelShuffle(2))


class Encoder(nn.Module):
    def __init__(self):
        super().__init__()
        widths = arch["encoderWidths"]
        layers, cin = [], 3
        for w in widths:
            layers.append(down(cin, w))
            cin = w
        self.convs = nn.Sequential(*layers)
        c = arch["bottleneckChannels"]
        self.latent = nn.Linear(4 * 4 * widths[-1], arch["latentDim"])
        self.expand = nn.Linear(arch["latentDim"], 4 * 4 * c)
        self.up0 = up(c, arch["upWidths"][0])
        self.c = c

    def forward(self, x):
        x = self.convs(x * 2 - 1)
        # NHWC flatten order does not matter for speed.
        x = self.expand(self.latent(x.flatten(1)))
        return self.up0(x.view(-1, self.c, 4, 4))


class Decoder(nn.Module):
    def __init__(self):
        super().__init__()
        widths = arch["upWidths"]
        self.ups = nn.Sequential(*[up(widths[i], widths[i + 1]) for i in range(len(widths) - 1)])
        self.rgb = nn.Conv2d(widths[-1], 3, 5, 1, 2)
        self.mask = nn.Conv2d(widths[-1], 1, 5, 1, 2)

    def forward(self, z):
        x = self.ups(z)
        return torch.sigmoid(self.rgb(x)), torch.sigmoid(self.mask(x))


def ssim(x, y):
    pool = lambda t: F.avg_pool2d(t, 7, 1)
    cov = 49 / 48
    mx, my = pool(x), pool(y)
    vx = (pool(x * x) - mx * mx) * cov
    vy = (pool(y * y) - my * my) * cov
    vxy = (pool(x * y) - mx * my) * cov
    c1, c2 = 0.01 ** 2, 0.03 ** 2
    return (((2 * mx * my + c1) * (2 * vxy + c2)) / ((mx * mx + my * my + c1) * (vx + vy + c2))).mean()


encoder, decoders = Encoder(), [Decoder(), Decoder()]
params = list(encoder.parameters()) + [p for d in decoders for p in d.parameters()]
optimizer = torch.optim.Adam(params, lr=5e-4, betas=(0.5, 0.999))
s = arch["size"]
data = [(torch.rand(batch, 3, s, s), torch.rand(batch, 3, s, s), (torch.rand(batch, 1, s, s) > 0.3).float()) for _ in range(2)]


def step():
    optimizer.zero_grad()
    loss = 0
    for decoder, (x, target, mask) in zip(decoders, data):
        rgb, m = decoder(encoder(x))
        loss = loss + (1 - ssim(rgb * mask, target * mask)) + ((rgb - target).abs() * mask).mean() + ((m - mask) ** 2).mean()
    loss.backward()
    optimizer.step()


for _ in range(2):
    step()
start = time.perf_counter()
for _ in range(steps):
    step()
elapsed = time.perf_counter() - start
print(json.dumps({"steps_per_sec": steps / elapsed, "params": sum(p.numel() for p in params), "threads": threads}))
