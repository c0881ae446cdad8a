#!/usr/bin/python3
"""Quick start: the ccRNN training loop through the Python binding.

A cue c in [-1, 1] is shown at step 0 only; the output must equal c at every step
0..4.  Truncation windows of one step (tau = 1) cut the gradient between steps; the
cerebellum predicts the gradient the future would send (the synthetic gradient) and
learns from the true one.  docs/model.md §learning procedure in calls.  (This toy task is
easy even
without the cerebellum, because step 0 is supervised: set cb.ablated = True after
creating it to compare with plain truncated BPTT.)

    CCRNN_LIBRARY=build/lib/libccrnn.so.1 PYTHONPATH=bindings/python \\
        /usr/bin/python3 examples/ffi/python/quickstart.py
"""
import numpy as np

import ccrnn

B, L, H = 16, 5, 32
rng = np.random.default_rng(0)

with ccrnn.Cortex("lstm", n_in=1, n_hidden=H, n_out=1, max_batch=B, max_window=1,
                  seed=1) as cx, \
        ccrnn.Cerebellum(cx.state_size, n_hidden_layers=1, width=128, max_batch=B,
                         seed=2) as cb, \
        ccrnn.Optimizer("adam", lr=3e-3, beta2=0.98, eps=1e-9, clip_norm=1.0) as opt:
    opt.add_cortex(cx)
    opt.add_cerebellum(cb)
    x = np.zeros((B, 1), np.float32)  # reused every step: no allocation in the loop
    for batch in range(301):
        cue = rng.uniform(-1, 1, (B, 1)).astype(np.float32)
        cx.reset(B)                                       # z = 0
        total = 0.0
        for t in range(L):
            cx.begin_window()                             # z_t is detached
            x[:] = cue if t == 0 else 0.0
            y = cx.forward(x)
            loss, dy = ccrnn.mse(y, cue)
            cx.output_grad(0, dy)
            total += loss
            dz_end = cb.synthetic_gradient(cx, scale=0.1)  # 0.1 C(z_{t+1})
            dz_start = cx.backward(dz_end)                 # true gradient at z_t
            cb.synthetic_gradient_learn(cx, dz_start)      # C(z_t) -> dz_start
        opt.step()                                        # clip, Adam, zero grads
        if batch % 50 == 0:
            print("batch %3d  loss %.4f  grad norm %.3f" % (batch, total / L, opt.grad_norm))
    print("parameters: cortex %d, cerebellum %d; weight_hh %s"
          % (cx.params.size, cb.params.size, cx.tensor("weight_hh_l0").shape))
