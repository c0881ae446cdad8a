#!/usr/bin/python3
"""From PyTorch to libccrnn: a model trained with torch continues training in libccrnn.

An nn.LSTM with an nn.Linear readout learns a short line-drawing task in PyTorch (full
BPTT) and is saved with torch.save.  Its state_dict is loaded into a ccrnn.Cortex
(PyTorch's own names and shapes), which then gives the same outputs, and training goes
on in libccrnn as a ccRNN: truncation windows of 2 steps with a cerebellum.

    PYTHONPATH=bindings/python /usr/bin/python3 examples/ffi/python/torch_to_ccrnn.py
"""
import os
import tempfile

import numpy as np
import torch
from torch import nn

import ccrnn

I, H, O, B, T, TAU = 1, 32, 2, 16, 10, 2
rng = np.random.default_rng(0)


def task(rng):
    """A cue c at step 0; the target draws the line t -> (c t/(T-1), t/(T-1))."""
    cue = rng.uniform(-1, 1, (1, B, 1)).astype(np.float32)
    x = np.zeros((T, B, I), np.float32)
    x[0] = cue[0]
    s = (np.arange(T, dtype=np.float32) / (T - 1))[:, None, None]
    return x, np.concatenate([cue * s, np.broadcast_to(s, (T, B, 1))], axis=2)


# 1. Train in PyTorch, save the state_dicts.
torch.manual_seed(0)
lstm, readout = nn.LSTM(I, H), nn.Linear(H, O)
opt = torch.optim.Adam([*lstm.parameters(), *readout.parameters()], lr=3e-3)
for step in range(60):
    x, target = task(rng)
    loss = ((readout(lstm(torch.from_numpy(x))[0]) - torch.from_numpy(target)) ** 2).mean()
    opt.zero_grad()
    loss.backward()
    opt.step()
print("PyTorch, after 60 steps: loss %.4f" % loss.item())
with tempfile.TemporaryDirectory() as tmp:
    torch.save({"rnn": lstm.state_dict(), "readout": readout.state_dict()},
               os.path.join(tmp, "model.pt"))
    saved = torch.load(os.path.join(tmp, "model.pt"))

# 2. Load it into libccrnn: weight_ih_l0, ..., readout.weight, readout.bias.
with ccrnn.Cortex("lstm", I, H, O, max_batch=B, max_window=T) as cx, \
        ccrnn.Cerebellum(cx.state_size, n_hidden_layers=1, width=128, max_batch=B) as cb, \
        ccrnn.Optimizer("adam", lr=1e-3, clip_norm=1.0) as opt:
    cx.load_state_dict(ccrnn.torchnames.join(rnn=saved["rnn"], readout=saved["readout"]))

    x, target = task(rng)
    with torch.no_grad():
        y_torch = readout(lstm(torch.from_numpy(x))[0]).numpy()
    cx.reset(B)
    cx.begin_window()
    y = np.stack([cx.forward(x[t]) for t in range(T)])
    print("same outputs: max |libccrnn - torch| = %.1e" % np.abs(y - y_torch).max())
    assert np.abs(y - y_torch).max() < 1e-5

    # 3. Keep training in libccrnn as a ccRNN (windows of TAU steps, a cerebellum).
    opt.add_cortex(cx)
    opt.add_cerebellum(cb)
    for step in range(100):
        x, target = task(rng)
        cx.reset(B)
        total = 0.0
        for t0 in range(0, T, TAU):
            cx.begin_window()
            for t in range(t0, t0 + TAU):
                loss, dy = ccrnn.mse(cx.forward(x[t]), target[t], denom=B * O * T)
                cx.output_grad(t - t0, dy)
                total += loss
            last = t0 + TAU == T  # nothing to predict after the sequence's end
            ccrnn.window_end(cx, cb, scale=0.1,
                             flags=ccrnn.WindowFlag.NO_SYNTHETIC if last else 0)
        opt.step()
    print("libccrnn ccRNN, after 100 more steps: loss %.4f" % total)
