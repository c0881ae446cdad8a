#!/usr/bin/python3
"""From libccrnn to PyTorch: a ccRNN trained in libccrnn, evaluated and fine-tuned in torch.

A cortex (LSTM) and its cerebellum learn a short line-drawing task in libccrnn with
truncation windows of 2 steps, and the cortex is saved as a libccrnn checkpoint.  The
checkpoint's weights then load into an nn.LSTM and an nn.Linear by name -- through the
binding (state_dict) or through a file converted by `python3 -m ccrnn.convert` -- and
PyTorch gives the same outputs.  The cerebellum goes to an nn.Sequential the same way.

    PYTHONPATH=bindings/python /usr/bin/python3 examples/ffi/python/ccrnn_to_torch.py
"""
import os
import shutil
import subprocess
import sys
import tempfile

import numpy as np
import torch
from torch import nn

import ccrnn

I, H, O, B, T, TAU = 1, 32, 2, 16, 10, 2
rng = np.random.default_rng(1)
work = tempfile.mkdtemp()  # removed at the end


def task(rng):
    """A cue c at step 0; the target draws the line t -> (c t/(T-1), t/(T-1))."""
    cue = rng.uniform(-1, 1, (1, B, 1)).astype(np.float32)
    x = np.zeros((T, B, I), np.float32)
    x[0] = cue[0]
    s = (np.arange(T, dtype=np.float32) / (T - 1))[:, None, None]
    return x, np.concatenate([cue * s, np.broadcast_to(s, (T, B, 1))], axis=2)


# 1. Train a ccRNN in libccrnn and save the cortex as a checkpoint.
with ccrnn.Cortex("lstm", I, H, O, max_batch=B, max_window=TAU, seed=1) as cx, \
        ccrnn.Cerebellum(cx.state_size, n_hidden_layers=1, width=128, max_batch=B,
                         seed=2) as cb, \
        ccrnn.Optimizer("adam", lr=3e-3, clip_norm=1.0) as opt:
    opt.add_cortex(cx)
    opt.add_cerebellum(cb)
    for step in range(150):
        x, target = task(rng)
        cx.reset(B)
        total = 0.0
        for t0 in range(0, T, TAU):
            cx.begin_window()
            for t in range(t0, t0 + TAU):
                loss, dy = ccrnn.mse(cx.forward(x[t]), target[t], denom=B * O * T)
                cx.output_grad(t - t0, dy)
                total += loss
            last = t0 + TAU == T
            ccrnn.window_end(cx, cb, scale=0.1,
                             flags=ccrnn.WindowFlag.NO_SYNTHETIC if last else 0)
        opt.step()
    print("libccrnn ccRNN, after 150 steps: loss %.4f" % total)
    cx.save(os.path.join(work, "cortex.ckpt"))
    cerebellum_state = cb.state_dict()  # 0.weight, 0.bias, 2.weight, 2.bias

# 2. Into PyTorch through the binding: PyTorch's names and shapes.
lstm, readout = nn.LSTM(I, H), nn.Linear(H, O)
with ccrnn.Cortex.load(os.path.join(work, "cortex.ckpt")) as cx:
    state = {k: torch.from_numpy(v) for k, v in cx.state_dict().items()}
lstm.load_state_dict(ccrnn.torchnames.split(
    {k: v for k, v in state.items() if not k.startswith("readout.")}, ""))
readout.load_state_dict(ccrnn.torchnames.split(state, "readout."))

# ... or through a file: the converter writes a torch.save state_dict.
subprocess.run([sys.executable, "-m", "ccrnn.convert", os.path.join(work, "cortex.ckpt"),
                os.path.join(work, "cortex.pt")], check=True)
from_file = torch.load(os.path.join(work, "cortex.pt"))
assert all(torch.equal(from_file[k], v) for k, v in state.items())

# 3. The same outputs in PyTorch (the libccrnn run of the same inputs for comparison).
x, target = task(rng)
with torch.no_grad():
    y_torch = readout(lstm(torch.from_numpy(x))[0]).numpy()
with ccrnn.Cortex.load(os.path.join(work, "cortex.ckpt")) as cx:
    cx.training = False
    cx.reset(B)
    y = np.stack([cx.forward(x[t]) for t in range(T)])
print("same outputs: max |torch - libccrnn| = %.1e" % np.abs(y_torch - y).max())
assert np.abs(y_torch - y).max() < 1e-5
print("PyTorch evaluation loss %.4f" % float(((y_torch - target) ** 2).mean()))

# 4. The cerebellum as an nn.Sequential (ReLU between the Linears).
mlp = nn.Sequential(nn.Linear(2 * H, 128), nn.ReLU(), nn.Linear(128, 2 * H))
mlp.load_state_dict({k: torch.from_numpy(v) for k, v in cerebellum_state.items()})
print("cerebellum -> nn.Sequential:", ", ".join(mlp.state_dict()))
shutil.rmtree(work)
