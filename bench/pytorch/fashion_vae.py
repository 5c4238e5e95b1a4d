"""PyTorch anchor for bench/fashion-throughput.ts: the same VAEs vaekit trains, timed the same way.

A measuring tool only: nothing in vaekit runs Python. Architectures (vaekit's defaults):
  conv: Conv2d 1→32 and 32→64 (kernel 3, stride 2, padding 1, ReLU) · Linear 3136→256 (ReLU) ·
        μ, logvar Linear 256→20; decoder Linear 20→256 (ReLU) · Linear 256→3136 (ReLU) ·
        ConvTranspose2d 64→32 (ReLU) and 32→1 (kernel 3, stride 2, padding 1, output_padding 1)
  mlp:  784-400-20 (ReLU), decoder 20-400-784
Bernoulli likelihood (BCE with logits, summed over pixels), KL to N(0, I), Adam 1e-3, batch 128,
real Fashion-MNIST batches (IDX files) in a seeded order. Prints one JSON line.

    /usr/bin/python3 bench/pytorch/fashion_vae.py --model conv --threads 1 --steps 40 [--warmup 2]
"""
import argparse
import gzip
import json
import os
import resource
import sys
import time

if __name__ == '__main__':
    # Debian's PyTorch calls the system BLAS (libblas.so.3): OpenBLAS has its own thread pool,
    # which must be sized before it loads.
    _threads = sys.argv[sys.argv.index('--threads') + 1] if '--threads' in sys.argv else '1'
    os.environ['OPENBLAS_NUM_THREADS'] = _threads
    os.environ['OMP_NUM_THREADS'] = _threads
    # Idle OpenMP threads sleep instead of spinning: spinning threads take the cores OpenBLAS's
    # threads need (2 threads ran at 32–243 samples/s spinning, 530–545 passive, same machine).
    os.environ.setdefault('OMP_WAIT_POLICY', 'PASSIVE')

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

DATA = '/usr/share/datasets/fashion-mnist'


def load_images(path):
    opener = gzip.open if path.endswith('.gz') else open
    with opener(path, 'rb') as f:
        raw = f.read()
    count, rows, cols = (int.from_bytes(raw[i:i + 4], 'big') for i in (4, 8, 12))
    return np.frombuffer(raw, dtype=np.uint8, offset=16).reshape(count, 1, rows, cols).astype(np.float32) / 255


def find(name):
    for candidate in (os.path.join(DATA, name), os.path.join(DATA, name + '.gz')):
        if os.path.exists(candidate):
            return candidate
    raise SystemExit(f'{name} not found in {DATA}: apt-get install dataset-fashion-mnist')


class ConvVAE(nn.Module):
    def __init__(self):
        super().__init__()
        self.enc1 = nn.Conv2d(1, 32, 3, stride=2, padding=1)
        self.enc2 = nn.Conv2d(32, 64, 3, stride=2, padding=1)
        self.dense = nn.Linear(3136, 256)
        self.mu = nn.Linear(256, 20)
        self.logvar = nn.Linear(256, 20)
        self.dec1 = nn.Linear(20, 256)
        self.project = nn.Linear(256, 3136)
        self.deconv = nn.ConvTranspose2d(64, 32, 3, stride=2, padding=1, output_padding=1)
        self.out = nn.ConvTranspose2d(32, 1, 3, stride=2, padding=1, output_padding=1)

    def encode(self, x):
        h = F.relu(self.enc2(F.relu(self.enc1(x))))
        h = F.relu(self.dense(h.flatten(1)))
        return self.mu(h), self.logvar(h)

    def decode(self, z):
        g = F.relu(self.project(F.relu(self.dec1(z)))).view(-1, 64, 7, 7)
        return self.out(F.relu(self.deconv(g)))


class MlpVAE(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(784, 400)
        self.mu = nn.Linear(400, 20)
        self.logvar = nn.Linear(400, 20)
        self.fc3 = nn.Linear(20, 400)
        self.fc4 = nn.Linear(400, 784)

    def encode(self, x):
        h = F.relu(self.fc1(x.flatten(1)))
        return self.mu(h), self.logvar(h)

    def decode(self, z):
        return self.fc4(F.relu(self.fc3(z))).view(-1, 1, 28, 28)


def blas_library():
    """The BLAS this process loaded (Debian: whichever libblas.so.3 the alternatives system points at)."""
    with open('/proc/self/maps') as maps:
        paths = {line.split()[-1] for line in maps if 'blas' in line.lower() and '/' in line}
    return ', '.join(sorted(os.path.realpath(p) for p in paths)) or 'none loaded'


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--model', choices=['conv', 'mlp'], default='conv')
    parser.add_argument('--threads', type=int, default=1)
    parser.add_argument('--steps', type=int, default=40)
    parser.add_argument('--warmup', type=int, default=2)
    args = parser.parse_args()

    torch.set_num_threads(args.threads)
    torch.manual_seed(1)
    images = torch.from_numpy(load_images(find('train-images-idx3-ubyte')))
    order = torch.randperm(images.shape[0], generator=torch.Generator().manual_seed(1))
    model = ConvVAE() if args.model == 'conv' else MlpVAE()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3, betas=(0.9, 0.999), eps=1e-8)
    batch = 128
    cursor = 0

    def step():
        nonlocal cursor
        if cursor + batch > order.shape[0]:
            cursor = 0
        x = images[order[cursor:cursor + batch]]
        cursor += batch
        mu, logvar = model.encode(x)
        z = mu + torch.exp(0.5 * logvar) * torch.randn_like(mu)
        logits = model.decode(z)
        recon = F.binary_cross_entropy_with_logits(logits, x, reduction='sum') / batch
        kl = 0.5 * torch.sum(mu * mu + torch.exp(logvar) - 1 - logvar) / batch
        loss = recon + kl
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        return loss.item()

    for _ in range(args.warmup):
        step()
    start, cpu_start = time.perf_counter(), time.process_time()
    for _ in range(args.steps):
        objective = step()
    seconds, cpu_seconds = time.perf_counter() - start, time.process_time() - cpu_start
    print(json.dumps({
        'model': args.model,
        'framework': f'PyTorch {torch.__version__} CPU',
        'threads': args.threads,
        'blas': blas_library(),
        'batchSize': batch,
        'warmupSteps': args.warmup,
        'steps': args.steps,
        'samplesPerSec': round(args.steps * batch / seconds),
        'msPerStep': round(seconds * 1000 / args.steps),
        'samplesPerCpuSec': round(args.steps * batch / cpu_seconds),
        'cpuMsPerStep': round(cpu_seconds * 1000 / args.steps),
        'finalObjective': round(objective, 2),
        'peakRssMB': round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }))


if __name__ == '__main__':
    main()
