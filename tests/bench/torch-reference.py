#!/usr/bin/python3
"""The PyTorch side of libccrnn's benchmark: the ccRNN training procedure that
tests/bench/bench-model.c drives through the library (docs/performance.md, "Method"),
written the way a PyTorch user would write it (nn.LSTM / nn.LSTMCell, autograd,
torch.optim.Adam, clip_grad_norm_), timed the same way.

Modes:
  batch   LSTM cortex (I -> H) with a linear readout (H -> O); cerebellum C: L hidden
          ReLU layers of S units on the state z = [h; c] (2H -> S ... S -> 2H), last
          layer zero at the start.  Per batch: z_0 = 0; the sequence is cut into windows
          of T steps; per window k the cortex runs from z_k (detached), the window loss
          is F.mse_loss over its steps, and one backward pass propagates the loss plus
          0.1 * C(z_{k+1}) fed in as the gradient of the window-end state; the gradient
          delta_k reaching z_k is the cerebellum's regression target for C(z_k), with
          output gradient 2 (C(z_k) - delta_k) summed over the batch.  Then one global
          gradient clip at 1.0 and one Adam step (lr 1e-3, betas (0.9, 0.98), eps 1e-9).
          S = 0 is the cortex alone (cRNN): truncated BPTT of the window losses.
  online  batch 1, one step per unit: --learn 1 runs a window of one step with the
          synthetic gradient, the cerebellum's learning and an Adam step every step
          (no clipping); --learn 0 is inference (cortex step and readout only).

C(z_{k+1}) at a window end is computed once per batch and window: its value is the
synthetic gradient, and its graph is kept for the next window's cerebellar learning,
since the weights do not change within a batch (K + 1 cerebellum forwards for K
windows, as the library).  Online, the weights change every step, so both forwards are
made each step.

Timing: the median time of one unit (batch, or online step) over --batches / --steps
units after --warmup untimed ones, on the wall clock (time.perf_counter) or on the
process CPU-time clock (--clock cpu, time.process_time: for a loaded machine,
meaningful with one thread only).  Output, one line:
  torch_ms_per_batch X loss Y ...       (batch)
  torch_online_us_per_step X learn=N ...  (online)

Threads: Debian's PyTorch runs its matrix products in BLIS, whose thread count
torch.set_num_threads does not change, so --threads sets BLIS_NUM_THREADS and
OMP_NUM_THREADS before torch is imported, and torch.set_num_threads as well.

--check (no timing): a correctness self-check at a tiny size in float64, against an
unrolled reference written independently (explicit LSTM cell equations, each window's
objective differentiated with torch.autograd.grad) and central finite differences; it
exits 0 when everything agrees, 1 when not, 77 (skip) when PyTorch is not installed.

Examples:
  torch-reference.py batch --B 50 --I 28 --H 50 --O 2 --S 400 --L 1 --seq 28 --T 7 --threads 1
  torch-reference.py online --learn 1 --threads 1
  torch-reference.py --check
"""
import argparse
import os
import statistics
import sys
import time


def parse_args():
    ap = argparse.ArgumentParser(description=" ".join(__doc__.split("\n\n")[0].split()),
                                 formatter_class=argparse.RawDescriptionHelpFormatter,
                                 epilog=__doc__.split("\n\n", 1)[1])
    ap.add_argument("mode", nargs="?", choices=("batch", "online"), default="batch")
    ap.add_argument("--check", action="store_true", help="run the correctness self-check")
    for name, default, what in (
            ("B", 50, "batch size (online: always 1)"), ("I", 28, "input size"),
            ("H", 50, "LSTM hidden units"), ("O", 2, "readout size"),
            ("S", 400, "cerebellum width (0: no cerebellum, the cRNN)"),
            ("L", 1, "cerebellum hidden layers"), ("seq", 28, "sequence length (batch)"),
            ("T", 7, "truncation window (batch)"), ("batches", 30, "timed batches"),
            ("steps", 2000, "timed online steps"),
            ("warmup", None, "untimed units first (default 3 batches, 100 steps)"),
            ("learn", 1, "online: 1 learn every step, 0 inference only"),
            ("threads", 1, "threads for BLIS, OpenMP and torch"), ("seed", 1, "seed")):
        ap.add_argument("--" + name, type=int, default=default, help=what)
    ap.add_argument("--clock", choices=("wall", "cpu"), default="wall",
                    help="wall: time.perf_counter; cpu: time.process_time")
    a = ap.parse_args()
    if a.warmup is None:
        a.warmup = 100 if a.mode == "online" else 3
    if a.check:
        a.threads = 1
    sizes = (a.B, a.I, a.H, a.O, a.seq, a.T, a.threads)
    if min(sizes) < 1 or a.S < 0 or a.warmup < 0 or (a.S > 0 and a.L < 1):
        ap.error("sizes must be >= 1 (S >= 0, L >= 1 with a cerebellum)")
    if min(a.batches, a.steps) < 1:
        ap.error("--batches and --steps must be >= 1")
    return a


ARGS = parse_args()
# Before torch loads: BLIS and OpenMP read these once, at initialisation.
for _var in ("BLIS_NUM_THREADS", "OMP_NUM_THREADS"):
    os.environ[_var] = str(ARGS.threads)
try:
    import torch
    import torch.nn as nn
    import torch.nn.functional as F
except ImportError as e:
    if ARGS.check:
        print(f"torch-reference: skipped, PyTorch is not installed ({e})")
        sys.exit(77)
    sys.exit(f"torch-reference: PyTorch is not installed ({e}); Debian: apt-get install "
             "python3-torch")


# ---- the model ----------------------------------------------------------------------

def make_cerebellum(z, width, layers):
    """Linear -> ReLU -> ... -> Linear from z to z; the last layer starts at zero, so
    every prediction is zero before the cerebellum has learned."""
    dims = [z] + [width] * layers + [z]
    mods = []
    for k in range(len(dims) - 1):
        mods.append(nn.Linear(dims[k], dims[k + 1]))
        if k < len(dims) - 2:
            mods.append(nn.ReLU())
    nn.init.zeros_(mods[-1].weight)
    nn.init.zeros_(mods[-1].bias)
    return nn.Sequential(*mods)


class Model:
    """Cortex (an nn.LSTM for windows, or an nn.LSTMCell for single steps), readout,
    optional cerebellum, and one Adam over all their parameters."""

    def __init__(self, I, H, O, S, L, cell=False, dtype=torch.float32):
        self.H = H
        self.cortex = (nn.LSTMCell(I, H) if cell else nn.LSTM(I, H)).to(dtype)
        self.readout = nn.Linear(H, O).to(dtype)
        self.cb = make_cerebellum(2 * H, S, L).to(dtype) if S > 0 else None
        self.cortex_params = list(self.cortex.parameters()) + list(self.readout.parameters())
        self.cb_params = list(self.cb.parameters()) if self.cb is not None else []
        self.params = self.cortex_params + self.cb_params
        self.opt = torch.optim.Adam(self.params, lr=1e-3, betas=(0.9, 0.98), eps=1e-9)

    def split(self, z):
        """[h; c] (B x 2H) -> h, c."""
        return z[:, :self.H], z[:, self.H:]


# ---- the procedures -------------------------------------------------------------------

def batch_gradients(m, x, y, T, record=None):
    """Accumulates one batch's gradients (x: seq x B x I, y: seq x B x O; windows of T
    steps).  Returns the summed window losses.  `record`, when a list, receives each
    window's (z_k, delta_k) for the self-check."""
    seq, B = x.shape[0], x.shape[1]
    z_end = x.new_zeros(B, 2 * m.H)
    # The cerebellum's input never needs a gradient: its target comes from the cortex.
    pred = m.cb(z_end) if m.cb is not None else None  # C(z_0)
    total = 0.0
    for w in range(0, seq, T):
        # A fresh leaf: gradients stop at the window start, and delta_k collects there.
        z = z_end.detach().requires_grad_(m.cb is not None)
        h, c = m.split(z)
        out, (h, c) = m.cortex(x[w:w + T], (h.unsqueeze(0).contiguous(),
                                            c.unsqueeze(0).contiguous()))
        loss = F.mse_loss(m.readout(out), y[w:w + T])
        z_end = torch.cat((h[0], c[0]), 1)
        if m.cb is None:
            loss.backward()
        else:
            pred_next = m.cb(z_end.detach())  # C(z_{k+1}): injected now, learned next window
            torch.autograd.backward((loss, z_end), (None, 0.1 * pred_next.detach()))
            delta = z.grad
            pred.backward(2.0 * (pred.detach() - delta))  # d sum_b |C(z_k) - delta_k|^2
            if record is not None:
                record.append((z.detach(), delta))
            pred = pred_next
        total += loss.item()
    return total


def batch_update(m):
    nn.utils.clip_grad_norm_(m.params, 1.0)
    m.opt.step()


def train_batch(m, x, y, T):
    m.opt.zero_grad(set_to_none=True)
    loss = batch_gradients(m, x, y, T)
    batch_update(m)
    return loss


def online_gradients(m, state, x_t, y_t):
    """One online learning step's gradients from the state z_t (1 x 2H): a window of one
    step.  Returns the next state (detached) and delta_t."""
    z = state.detach().requires_grad_()
    h, c = m.cortex(x_t, m.split(z))
    loss = F.mse_loss(m.readout(h), y_t)
    z_end = torch.cat((h, c), 1)
    with torch.no_grad():
        sg = 0.1 * m.cb(z_end)
    torch.autograd.backward((loss, z_end), (None, sg))
    pred = m.cb(state.detach())  # C(z_t) with this step's weights
    pred.backward(2.0 * (pred.detach() - z.grad))
    return z_end.detach(), z.grad


def online_learn_step(m, state, x_t, y_t):
    m.opt.zero_grad(set_to_none=True)
    state, _ = online_gradients(m, state, x_t, y_t)
    m.opt.step()  # no clipping online
    return state


def online_infer_step(m, h, c, x_t):
    with torch.inference_mode():
        h, c = m.cortex(x_t, (h, c))
        m.readout(h)
    return h, c


# ---- timing -----------------------------------------------------------------------------

def median_time(n_warmup, n_timed, unit, clock):
    for i in range(n_warmup):
        unit(i)
    ts = []
    for i in range(n_warmup, n_warmup + n_timed):
        t0 = clock()
        unit(i)
        ts.append(clock() - t0)
    return statistics.median(ts)


def run_batch(a, clock):
    m = Model(a.I, a.H, a.O, a.S, a.L)
    g = torch.Generator().manual_seed(a.seed + 1)
    x = torch.rand(a.seq, a.B, a.I, generator=g)  # step-major, as the library's inputs
    y = torch.randn(a.seq, a.B, a.O, generator=g)
    last = [0.0]

    def unit(_):
        last[0] = train_batch(m, x, y, a.T)
    sec = median_time(a.warmup, a.batches, unit, clock)
    print(f"torch_ms_per_batch {1e3 * sec:.3f} loss {last[0]:.6f} batches {a.batches} "
          f"warmup {a.warmup} threads {a.threads} clock {a.clock} torch {torch.__version__}")


def run_online(a, clock):
    m = Model(a.I, a.H, a.O, a.S if a.learn else 0, a.L, cell=True)
    g = torch.Generator().manual_seed(a.seed + 1)
    n = a.steps + a.warmup
    x = torch.rand(n, 1, a.I, generator=g)
    y = torch.randn(n, 1, a.O, generator=g)
    if a.learn and m.cb is None:
        sys.exit("torch-reference: online learning needs a cerebellum (--S > 0)")
    st = {"z": torch.zeros(1, 2 * a.H), "h": torch.zeros(1, a.H), "c": torch.zeros(1, a.H)}

    def learn(i):
        st["z"] = online_learn_step(m, st["z"], x[i], y[i])

    def infer(i):
        st["h"], st["c"] = online_infer_step(m, st["h"], st["c"], x[i])
    sec = median_time(a.warmup, a.steps, learn if a.learn else infer, clock)
    print(f"torch_online_us_per_step {1e6 * sec:.2f} learn={a.learn} steps {a.steps} "
          f"warmup {a.warmup} threads {a.threads} clock {a.clock} torch {torch.__version__}")


# ---- the self-check ---------------------------------------------------------------------

def lstm_weights(cortex):
    """(W_ih, W_hh, b_ih, b_hh) of an nn.LSTM (layer 0) or nn.LSTMCell."""
    sfx = "_l0" if isinstance(cortex, nn.LSTM) else ""
    return [getattr(cortex, n + sfx) for n in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")]


def cell_step(W, x, h, c):
    """The LSTM cell written out (PyTorch's gate order i, f, g, o)."""
    W_ih, W_hh, b_ih, b_hh = W
    i, f, gg, o = (x @ W_ih.t() + b_ih + h @ W_hh.t() + b_hh).chunk(4, 1)
    c = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(gg)
    return torch.sigmoid(o) * torch.tanh(c), c


def mlp(layers, z):
    """The cerebellum from a list of (weight, bias): ReLU between the layers."""
    for k, (w, b) in enumerate(layers):
        z = z @ w.t() + b
        if k < len(layers) - 1:
            z = torch.relu(z)
    return z


def reference_gradients(W, R, Cb, x, y, T, z0):
    """The learning rule written from its definition, independent of Model's code: per
    window, J_k = L_k + 0.1 <s_{k+1}, z_{k+1}> with s_{k+1} = C(z_{k+1}) held constant,
    differentiated by autograd over the explicitly unrolled cell; delta_k = dJ_k/dz_k;
    the cerebellar loss E = sum_k sum_b |C(z_k) - delta_k|^2 with delta_k constant.
    W: LSTM weights, R: readout (weight, bias), Cb: cerebellum layers or None.
    Returns (cortex grads [W..., R...], cerebellum grads, [(z_k, delta_k)] per window)."""
    H = W[1].shape[1]
    cortex = list(W) + list(R)
    grads = [torch.zeros_like(p) for p in cortex]
    starts, z_k = [], z0
    for w in range(0, x.shape[0], T):
        z = z_k.detach().requires_grad_()
        J, z_end = window_objective(W, R, Cb, x[w:w + T], y[w:w + T], z, H)
        gs = torch.autograd.grad(J, [z] + cortex)
        starts.append((z.detach(), gs[0] if Cb is not None else None))
        grads = [a + b for a, b in zip(grads, gs[1:])]
        z_k = z_end.detach()
    cb_grads = []
    if Cb is not None:
        E = cerebellar_objective(Cb, starts)
        cb_grads = list(torch.autograd.grad(E, [p for layer in Cb for p in layer]))
    return grads, cb_grads, starts


def window_objective(W, R, Cb, xw, yw, z, H, s=None):
    """J of one window from z; s (optional) replaces C(z_end) as the held prediction."""
    h, c = z[:, :H], z[:, H:]
    outs = []
    for t in range(xw.shape[0]):
        h, c = cell_step(W, xw[t], h, c)
        outs.append(h @ R[0].t() + R[1])
    # F.mse_loss over the window: the mean over its steps x B x O values.
    J = ((torch.stack(outs) - yw) ** 2).mean()
    z_end = torch.cat((h, c), 1)
    if Cb is not None:
        if s is None:
            s = mlp(Cb, z_end.detach()).detach()
        J = J + 0.1 * (s * z_end).sum()
    return J, z_end


def cerebellar_objective(Cb, starts):
    return sum(((mlp(Cb, z) - d.detach()) ** 2).sum() for z, d in starts)


def max_rel_err(got, want):
    worst = 0.0
    for g, w in zip(got, want):
        scale = max(w.abs().max().item(), 1e-12)
        worst = max(worst, (g - w).abs().max().item() / scale)
    return worst


def self_check():
    """Returns a list of (what, error, tolerance)."""
    torch.manual_seed(7)
    dt = torch.float64
    B, I, H, O, S, L, seq, T = 3, 4, 5, 3, 7, 2, 7, 3  # windows of 3, 3 and 1 steps
    x = torch.rand(seq, B, I, dtype=dt)
    y = torch.randn(seq, B, O, dtype=dt)
    results = []

    def randomise(m):
        # The zero last layer would make every synthetic gradient zero and test nothing.
        with torch.no_grad():
            for p in m.params:
                p.uniform_(-0.5, 0.5)

    def layers(cb):
        lin = [mod for mod in cb if isinstance(mod, nn.Linear)]
        return [(mod.weight, mod.bias) for mod in lin]

    for S_ in (S, 0):
        tag = "ccRNN" if S_ else "cRNN"
        m = Model(I, H, O, S_, L, dtype=dt)
        randomise(m)
        rec = []
        m.opt.zero_grad(set_to_none=True)
        batch_gradients(m, x, y, T, rec)
        W, R = lstm_weights(m.cortex), (m.readout.weight, m.readout.bias)
        Cb = layers(m.cb) if m.cb is not None else None
        z0 = torch.zeros(B, 2 * H, dtype=dt)
        g_cx, g_cb, starts = reference_gradients(W, R, Cb, x, y, T, z0)
        mine = [p.grad for p in list(W) + list(R)]
        results.append((f"batch {tag}: cortex gradients vs unrolled autograd",
                        max_rel_err(mine, g_cx), 1e-10))
        if Cb is not None:
            results.append((f"batch {tag}: delta_k at each window start",
                            max_rel_err([d for _, d in rec], [d for _, d in starts]), 1e-10))
            results.append((f"batch {tag}: cerebellum gradients vs unrolled autograd",
                            max_rel_err([p.grad for p in m.cb_params], g_cb), 1e-10))
            results.append((f"batch {tag}: finite differences of the objectives",
                            finite_differences(W, R, Cb, x, y, T, starts, g_cx, g_cb), 1e-5))
        # One update: global clip at 1.0, then Adam's first step, written out.
        grads = [p.grad.clone() for p in m.params]
        before = [p.detach().clone() for p in m.params]
        norm = torch.sqrt(sum((g ** 2).sum() for g in grads))
        coef = min(1.0, 1.0 / (norm.item() + 1e-6))
        batch_update(m)
        want = []
        for p0, g in zip(before, grads):
            g = g * coef
            m_hat = 0.1 * g / (1 - 0.9)  # first step: bias-corrected moments
            v_hat = 0.02 * g * g / (1 - 0.98)
            want.append(p0 - 1e-3 * m_hat / (v_hat.sqrt() + 1e-9))
        # clip_grad_norm_ scales the gradients in place; Adam's first step hardly sees
        # their scale, so the clip is checked on the gradients themselves.
        results.append((f"batch {tag}: clip at 1.0 (norm {norm.item():.2f})",
                        max_rel_err([p.grad for p in m.params], [g * coef for g in grads]),
                        1e-12))
        results.append((f"batch {tag}: Adam step", max_rel_err([p.detach() for p in m.params],
                                                               want), 1e-9))

    # Online learning: three steps, the last one's gradients from a non-zero state.
    m = Model(I, H, O, S, L, cell=True, dtype=dt)
    randomise(m)
    xs = torch.rand(3, 1, I, dtype=dt)
    ys = torch.randn(3, 1, O, dtype=dt)
    z = torch.zeros(1, 2 * H, dtype=dt)
    for t in range(2):
        z = online_learn_step(m, z, xs[t], ys[t])
    m.opt.zero_grad(set_to_none=True)
    _, delta = online_gradients(m, z, xs[2], ys[2])
    W, R, Cb = lstm_weights(m.cortex), (m.readout.weight, m.readout.bias), layers(m.cb)
    g_cx, g_cb, starts = reference_gradients(W, R, Cb, xs[2:], ys[2:], 1, z)
    err = max(max_rel_err([p.grad for p in m.cortex_params], g_cx),
              max_rel_err([p.grad for p in m.cb_params], g_cb),
              max_rel_err([delta], [starts[0][1]]))
    results.append(("online learn: gradients at step 3 vs unrolled autograd", err, 1e-10))

    # Online inference: the cell's outputs against the written-out cell.
    h = c = torch.zeros(1, H, dtype=dt)
    hr = cr = h
    for t in range(3):
        h, c = online_infer_step(m, h, c, xs[t])
        with torch.no_grad():
            hr, cr = cell_step(W, xs[t], hr, cr)
    results.append(("online infer: state after 3 steps", max_rel_err([h, c], [hr, cr]), 1e-12))
    return results


def finite_differences(W, R, Cb, x, y, T, starts, g_cx, g_cb, n=6, eps=1e-6):
    """Central differences of sum_k J_k (cortex entries; each window from its recorded
    start z_k, synthetic gradients held) and of E (cerebellum entries; targets held) at
    n random entries each; returns the worst relative error."""
    H = W[1].shape[1]
    cortex = list(W) + list(R)
    cb = [p for layer in Cb for p in layer]
    windows = list(enumerate(range(0, x.shape[0], T)))
    with torch.no_grad():  # the synthetic gradients, held while the cortex moves
        held = [mlp(Cb, window_objective(W, R, Cb, x[w:w + T], y[w:w + T], starts[k][0], H)[1])
                for k, w in windows]

    def J_total():
        with torch.no_grad():
            return sum(window_objective(W, R, Cb, x[w:w + T], y[w:w + T], starts[k][0], H,
                                        held[k])[0].item() for k, w in windows)

    def E_total():
        with torch.no_grad():
            return cerebellar_objective(Cb, starts).item()

    gen = torch.Generator().manual_seed(3)
    worst = 0.0
    for params, grads, f in ((cortex, g_cx, J_total), (cb, g_cb, E_total)):
        for _ in range(n):
            k = int(torch.randint(len(params), (1,), generator=gen))
            j = int(torch.randint(params[k].numel(), (1,), generator=gen))
            flat = params[k].data.view(-1)
            keep = flat[j].item()
            flat[j] = keep + eps
            up = f()
            flat[j] = keep - eps
            down = f()
            flat[j] = keep
            fd, an = (up - down) / (2 * eps), grads[k].view(-1)[j].item()
            worst = max(worst, abs(fd - an) / max(abs(an), 1e-3))
    return worst


def main(a):
    torch.set_num_threads(a.threads)
    if a.check:
        ok = True
        for what, err, tol in self_check():
            good = err <= tol
            ok &= good
            print(f"{'ok  ' if good else 'FAIL'} {what}: max relative error {err:.2e} "
                  f"(tolerance {tol:.0e})")
        print("torch-reference check: " + ("passed" if ok else "FAILED"))
        return 0 if ok else 1
    torch.manual_seed(a.seed)
    clock = time.perf_counter if a.clock == "wall" else time.process_time
    if a.mode == "batch":
        run_batch(a, clock)
    else:
        run_online(a, clock)
    return 0


if __name__ == "__main__":
    sys.exit(main(ARGS))
