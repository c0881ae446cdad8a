"""Convert weights between libccrnn checkpoints, numpy .npz files and PyTorch
state_dict files (torch.save), both ways.

    python3 -m ccrnn.convert IN OUT [--style torch|ccdni] [--part cortex|cerebellum]
    ccrnn-convert IN OUT ...            (the same, installed by pip)

The format of each file follows its suffix: .npz (numpy), .pt / .pth (PyTorch, needs
torch), anything else a libccrnn checkpoint (ccrnn_*_save / _load).  One cortex or one
cerebellum is converted at a time; a reference ccDNI model file (rnn.rnn.*, ...,
rnn.backward_interface.synthesizer.*, linear.*) holds both: --part picks one.

Names and shapes are PyTorch's (style torch: weight_ih_l0 ..., readout.weight; a
cerebellum as nn.Sequential 0.weight, 2.weight, ...) or the reference code's (style
ccdni: rnn.weight_ih_l0 ..., linear.weight; input_trigger.*, layers.{k-1}.*); reading
detects the style.  Sizes come from the tensors' shapes (the cell from weight_ih_l0's
rows: 4H LSTM, 3H GRU, H tanh); what shapes cannot tell -- the cerebellum's context
width in an nn.Sequential file, max_batch, max_window -- is given by options.  Files
this tool writes as .npz carry the sizes in an entry "_ccrnn".  See docs/pytorch.md.
"""
import argparse
import json
import sys

import numpy as np

from . import torchnames as tn
from .cortex import Cortex
from .cerebellum import Cerebellum
from .errors import MismatchError

TORCH_SUFFIXES = (".pt", ".pth")


def _kind(path):
    p = str(path).lower()
    if p.endswith(".npz"):
        return "npz"
    if p.endswith(TORCH_SUFFIXES):
        return "torch"
    return "checkpoint"


def _torch():
    try:
        import torch
    except ImportError as exc:
        raise SystemExit("ccrnn.convert: .pt/.pth files need PyTorch (%s)" % exc)
    return torch


def _read_torch(path):
    torch = _torch()
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except TypeError:  # a torch without weights_only
        state = torch.load(path, map_location="cpu")
    if isinstance(state, dict) and "model-state" in state:  # the reference's wrapper
        state = state["model-state"]
    if not isinstance(state, dict):
        raise SystemExit("ccrnn.convert: %s holds a %s, not a state_dict (save "
                         "module.state_dict(), not the module)" % (path, type(state).__name__))
    return {k: tn._np(v) for k, v in state.items()}


def _ccdni_cortex_to_torch(state):
    prefix = "rnn.rnn." if any(k.startswith("rnn.rnn.") for k in state) else "rnn."
    out = {k[len(prefix):]: v for k, v in state.items()
           if k.startswith(prefix) and not k.startswith(tn.SYNTH)}
    out.update({"readout." + k[len("linear."):]: v for k, v in state.items()
                if k.startswith("linear.")})
    return out


def _ccdni_cerebellum_to_torch(synth):
    """BasicSynthesizer names -> nn.Sequential names, and the context width."""
    w = synth["input_trigger.weight"]
    b = synth["input_trigger.bias"]
    n_ctx = 0
    if "input_context.weight" in synth:
        n_ctx = synth["input_context.weight"].shape[1]
        w = np.concatenate([w, synth["input_context.weight"]], axis=1)
        b = b + synth["input_context.bias"]
    out = {"0.weight": w, "0.bias": b}
    j = 0
    while "layers.%d.weight" % j in synth:
        out["%d.weight" % (2 * j + 2)] = synth["layers.%d.weight" % j]
        out["%d.bias" % (2 * j + 2)] = synth["layers.%d.bias" % j]
        j += 1
    return out, n_ctx


def torch_style(state, part=None, n_ctx=0):
    """(state in style torch, meta) for a state dict in either style: a cortex, a
    cerebellum, or a reference model (part picks cortex or cerebellum)."""
    synth = {k[len(tn.SYNTH):]: v for k, v in state.items() if k.startswith(tn.SYNTH)}
    if "input_trigger.weight" in state:  # a synthesizer alone
        synth, part = state, "cerebellum"
    if part == "cerebellum":
        if synth:
            state, n_ctx = _ccdni_cerebellum_to_torch(synth)
        elif "weight_ih_l0" in state or any(k.startswith("rnn.") for k in state):
            raise SystemExit("ccrnn.convert: --part cerebellum, but the file holds no "
                             "cerebellum (no %s* and no 0.weight)" % tn.SYNTH)
    elif any(k.startswith(("rnn.", "linear.")) for k in state):
        state = _ccdni_cortex_to_torch(state)
    meta = tn.infer_meta(state, n_ctx)
    if part and meta["kind"] != part:
        raise SystemExit("ccrnn.convert: --part %s, but the file holds a %s"
                         % (part, meta["kind"]))
    return state, meta


def read(path, part=None, n_ctx=0, sizes=None):
    """A Cortex or Cerebellum from a checkpoint, .npz or .pt file."""
    kind = _kind(path)
    if kind == "checkpoint":
        try:
            obj = Cortex.load(path)
        except MismatchError:
            obj = Cerebellum.load(path)
        return obj
    if kind == "npz":
        with np.load(path, allow_pickle=False) as data:
            state = {k: data[k] for k in data.files}
        meta = json.loads(str(state.pop(tn.META))) if tn.META in state else None
    else:
        state, meta = _read_torch(path), None
    if meta is None:
        state, meta = torch_style(state, part, n_ctx)
    meta.update(sizes or {})
    obj = tn.create(meta)
    try:
        tn.load_state_dict(obj, state)
    except Exception:
        obj.close()
        raise
    return obj


def write(obj, path, style="torch"):
    kind = _kind(path)
    if kind == "checkpoint":
        obj.save(path)
    elif kind == "npz":
        tn.save_npz(obj, path, style)
    else:
        torch = _torch()
        torch.save({k: torch.from_numpy(v) for k, v in tn.state_dict(obj, style).items()},
                   path)


def main(argv=None):
    ap = argparse.ArgumentParser(prog="ccrnn-convert", description=__doc__.split("\n\n")[0],
                                 epilog="Formats by suffix: .npz, .pt/.pth, else a "
                                        "libccrnn checkpoint.  See docs/pytorch.md.")
    ap.add_argument("input")
    ap.add_argument("output")
    ap.add_argument("--style", choices=tn.STYLES, default="torch",
                    help="names written to .npz/.pt (default torch)")
    ap.add_argument("--part", choices=("cortex", "cerebellum"),
                    help="which object to take from a reference ccDNI model file")
    ap.add_argument("--n-ctx", type=int, default=0,
                    help="context inputs of an nn.Sequential cerebellum (default 0)")
    ap.add_argument("--max-batch", type=int, help="max_batch of the new object (default 1)")
    ap.add_argument("--max-window", type=int, help="a new cortex's max_window (default 1)")
    args = ap.parse_args(argv)
    sizes = {}
    if args.max_batch:
        sizes["max_batch"] = args.max_batch
    if args.max_window:
        sizes["max_window"] = args.max_window
    obj = read(args.input, args.part, args.n_ctx, sizes)
    with obj:
        if "max_window" in sizes and not hasattr(obj, "n_hidden"):
            sizes.pop("max_window")
        write(obj, args.output, args.style)
        print("%s -> %s: %s" % (args.input, args.output, json.dumps(tn.describe(obj))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
