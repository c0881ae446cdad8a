"""Names and shapes that move weights between libccrnn and PyTorch (docs/pytorch.md).

The mapping is built on the library's own tensor table (ccrnn_*_tensor_info), so it
holds whether the library names its tensors in the 0.1 style (weight_ih, layers.k.*)
or in PyTorch's (weight_ih_l0, 2k.*).

Cortex (one recurrent layer and a linear readout):

    library role    style "torch"          style "ccdni" (reference RNNPredictor)
    weight_ih       weight_ih_l0  (G, I)   rnn.weight_ih_l0   (rnn.rnn.* with a cerebellum)
    weight_hh       weight_hh_l0  (G, H)   rnn.weight_hh_l0
    bias_ih         bias_ih_l0    (G,)     rnn.bias_ih_l0
    bias_hh         bias_hh_l0    (G,)     rnn.bias_hh_l0
    readout.weight  readout.weight (O, H)  linear.weight
    readout.bias    readout.bias  (O,)     linear.bias

G = 4H (LSTM, gates i,f,g,o), 3H (GRU, r,z,n) or H (tanh RNN), exactly nn.LSTM / nn.GRU
/ nn.RNN.  Cerebellum: Linear layer k (k = 0 .. n_hidden_layers) is "{2k}.weight" /
"{2k}.bias" in style "torch" (an nn.Sequential with a ReLU between Linears), and in the
reference's BasicSynthesizer k = 0 is input_trigger (trigger columns) plus input_context
(context columns; its bias adds to input_trigger's) and k >= 1 is layers.{k-1}.
"""
import json

import numpy as np

from .constants import Cell

STYLES = ("torch", "ccdni")
_CORTEX_ROLES = ("weight_ih", "weight_hh", "bias_ih", "bias_hh", "readout.weight",
                 "readout.bias")
_CCDNI_READOUT = {"readout.weight": "linear.weight", "readout.bias": "linear.bias"}
SYNTH = "rnn.backward_interface.synthesizer."  # the reference model's synthesizer prefix


def _is_cortex(obj):
    return hasattr(obj, "n_hidden")


def cortex_role(name):
    """Library tensor name -> its role (weight_ih ... readout.bias), either naming."""
    role = name[:-3] if name.endswith("_l0") else name
    if role not in _CORTEX_ROLES:
        raise KeyError("unknown cortex tensor %r" % name)
    return role


def cerebellum_layer(name):
    """Library tensor name -> (Linear index k, "weight" | "bias"), either naming:
    "layers.k.weight" (0.1) or "{2k}.weight" (nn.Sequential, 0.2)."""
    parts = name.split(".")
    if parts[0] == "layers" and len(parts) == 3:
        return int(parts[1]), parts[2]
    if len(parts) == 2 and parts[0].isdigit() and int(parts[0]) % 2 == 0:
        return int(parts[0]) // 2, parts[1]
    raise KeyError("unknown cerebellum tensor %r" % name)


def cortex_name(role, style="torch", prefix=""):
    """Role -> the name in `style` (prefix "rnn." or "rnn.rnn." for ccdni models)."""
    if role.startswith("readout."):
        return _CCDNI_READOUT[role] if style == "ccdni" else role
    return (prefix if style == "ccdni" else "") + role + "_l0"


def _np(value):
    """A float32 numpy copy of an array or a torch tensor (without importing torch)."""
    if hasattr(value, "detach"):
        value = value.detach().cpu().numpy()
    return np.array(value, dtype=np.float32, copy=True)


# ---- the table of one object: library name, wanted name, shape --------------------------
def _cortex_table(cx, style, prefix):
    return [(t.name, cortex_name(cortex_role(t.name), style, prefix), cx.tensor_shape(t))
            for t in cx.tensors()]


def _cerebellum_table(cb, style):
    """[(library name, style name, shape)]; for ccdni the first layer is split later."""
    table = []
    for t in cb.tensors():
        k, kind = cerebellum_layer(t.name)
        if style == "torch":
            table.append((t.name, "%d.%s" % (2 * k, kind), cb.tensor_shape(t)))
        else:
            name = "input_trigger.%s" % kind if k == 0 else "layers.%d.%s" % (k - 1, kind)
            table.append((t.name, name, cb.tensor_shape(t)))
    return table


def state_dict(obj, style="torch", prefix="rnn."):
    """{name: float32 array} of a Cortex or Cerebellum in `style` (see module doc)."""
    if style not in STYLES:
        raise ValueError("style must be one of %s, not %r" % (STYLES, style))
    out = {}
    if _is_cortex(obj):
        for cname, name, _ in _cortex_table(obj, style, prefix):
            out[name] = obj.get_tensor(cname)
        return out
    for cname, name, _ in _cerebellum_table(obj, style):
        value = obj.get_tensor(cname)
        if style == "ccdni" and name.startswith("input_trigger.") and obj.n_ctx:
            ctx_name = name.replace("input_trigger", "input_context")
            if name.endswith(".weight"):
                out[name] = np.ascontiguousarray(value[:, :obj.n_in])
                out[ctx_name] = np.ascontiguousarray(value[:, obj.n_in:])
                continue
            out[ctx_name] = np.zeros_like(value)  # the whole bias lives in input_trigger
        out[name] = value
    return out


def detect_style(state):
    keys = list(state)
    if any(k.startswith(("input_trigger.", "linear.", "rnn.", SYNTH)) for k in keys):
        return "ccdni"
    return "torch"


def load_state_dict(obj, state, style=None, strict=True, prefix=None):
    """Set a Cortex's or Cerebellum's tensors from `state` (see Handle.load_state_dict).

    All entries are converted and checked (names, shapes, finiteness) before the first
    is written, so a refused dict changes nothing."""
    style = style or detect_style(state)
    if style not in STYLES:
        raise ValueError("style must be one of %s, not %r" % (STYLES, style))
    state = {k: _np(v) for k, v in state.items()}
    if _is_cortex(obj):
        if prefix is None:
            prefix = "rnn.rnn." if "rnn.rnn.weight_ih_l0" in state else "rnn."
        table = _cortex_table(obj, style, prefix)
    else:
        table = _cerebellum_table(obj, style)
        if style == "ccdni" and obj.n_ctx:
            state = _join_context(obj, state, strict)
    wanted = {name for _, name, _ in table}
    missing = sorted(wanted - set(state))
    unexpected = sorted(set(state) - wanted)
    if missing or (strict and unexpected):
        raise KeyError("load_state_dict(style=%r): missing %s, unexpected %s"
                       % (style, missing, unexpected))
    writes = []
    for cname, name, shape in table:
        value = state[name]
        if value.shape != tuple(shape) and not (len(shape) == 1
                                                and value.shape == (shape[0], 1)):
            raise ValueError("%s has shape %s, expected %s (library tensor %s)"
                             % (name, value.shape, tuple(shape), cname))
        if not np.all(np.isfinite(value)):
            raise ValueError("%s holds NaN or Inf" % name)
        writes.append((cname, np.ascontiguousarray(value.reshape(shape))))
    for cname, value in writes:
        obj.set_tensor(cname, value)


def _join_context(cb, state, strict):
    """Reference BasicSynthesizer: input_trigger (W_t, b_t) and input_context (W_c, b_c)
    act as one Linear [W_t | W_c], bias b_t + b_c, over the library's [in, ctx]."""
    state = dict(state)
    try:
        w_t, w_c = state.pop("input_trigger.weight"), state.pop("input_context.weight")
        b_t, b_c = state.pop("input_trigger.bias"), state.pop("input_context.bias")
    except KeyError as exc:
        raise KeyError("load_state_dict(style='ccdni'): a cerebellum with n_ctx = %d needs "
                       "input_trigger.* and input_context.* (missing %s)"
                       % (cb.n_ctx, exc)) from None
    if w_t.ndim != 2 or w_c.ndim != 2 or w_t.shape[0] != w_c.shape[0]:
        raise ValueError("input_trigger.weight %s and input_context.weight %s do not form "
                         "one layer" % (w_t.shape, w_c.shape))
    state["input_trigger.weight"] = np.concatenate([w_t, w_c], axis=1)
    state["input_trigger.bias"] = b_t + b_c
    return state


# ---- the reference model as a whole ------------------------------------------------------
def ccdni_state_dict(cortex, cerebellum=None):
    """The state_dict of the reference code's RNNPredictor: for a cRNN (no cerebellum)
    rnn.weight_ih_l0 ... linear.bias; for a ccRNN (model DNI_*) rnn.rnn.weight_ih_l0 ...,
    rnn.backward_interface.synthesizer.input_trigger.weight ..., linear.*."""
    prefix = "rnn.rnn." if cerebellum is not None else "rnn."
    out = state_dict(cortex, "ccdni", prefix)
    if cerebellum is not None:
        out.update({SYNTH + k: v for k, v in state_dict(cerebellum, "ccdni").items()})
    return out


def load_ccdni_state_dict(state, cortex, cerebellum=None, strict=True):
    """Load a reference RNNPredictor state_dict (possibly wrapped as {"model-state": ...})
    into a cortex and, for a DNI_* model, a cerebellum."""
    state = state.get("model-state", state)
    synth = {k[len(SYNTH):]: v for k, v in state.items() if k.startswith(SYNTH)}
    rest = {k: v for k, v in state.items() if not k.startswith(SYNTH)}
    if synth and cerebellum is None and strict:
        raise KeyError("the state holds a synthesizer (a DNI_* model): pass a cerebellum")
    load_state_dict(cortex, rest, "ccdni", strict)
    if cerebellum is not None:
        load_state_dict(cerebellum, synth, "ccdni", strict)


def split(state, prefix):
    """The entries of `state` whose name starts with prefix, with the prefix removed:
    split(cx.state_dict(), "readout.") is an nn.Linear's state_dict."""
    return {k[len(prefix):]: v for k, v in state.items() if k.startswith(prefix)}


def join(**parts):
    """join(rnn=lstm.state_dict(), readout=linear.state_dict()) -> one dict in the
    cortex's names ("rnn" entries keep their names, others get "<key>." prepended)."""
    out = {}
    for key, part in parts.items():
        for name, value in part.items():
            out[name if key == "rnn" else key + "." + name] = value
    return out


# ---- numpy .npz files ------------------------------------------------------------------
_CELLS = {Cell.LSTM: "lstm", Cell.TANH: "tanh", Cell.GRU: "gru"}
META = "_ccrnn"


def describe(obj):
    """The JSON-able sizes that rebuild `obj` (kept in an .npz under "_ccrnn")."""
    if _is_cortex(obj):
        s = obj.shape
        return {"kind": "cortex", "cell": _CELLS[Cell(s.cell)], "n_in": s.n_in,
                "n_hidden": s.n_hidden, "n_out": s.n_out, "max_batch": s.max_batch,
                "max_window": s.max_window}
    s = obj.shape
    return {"kind": "cerebellum", "n_in": s.n_in, "n_ctx": s.n_ctx, "n_out": s.n_out,
            "n_hidden_layers": s.n_hidden_layers, "width": s.width,
            "max_batch": s.max_batch}


def save_npz(obj, path, style="torch"):
    arrays = state_dict(obj, style)
    arrays[META] = np.array(json.dumps(describe(obj)))
    with open(path, "wb") as f:  # np.savez would append ".npz" to another suffix
        np.savez(f, **arrays)


def create(meta, seed=0):
    """A new Cortex or Cerebellum of the sizes in `meta` (see describe)."""
    from .cortex import Cortex
    from .cerebellum import Cerebellum
    if meta["kind"] == "cortex":
        return Cortex(meta["cell"], meta["n_in"], meta["n_hidden"], meta["n_out"],
                      max_batch=meta.get("max_batch", 1),
                      max_window=meta.get("max_window", 1), seed=seed)
    return Cerebellum(meta["n_in"], n_out=meta["n_out"], n_ctx=meta.get("n_ctx", 0),
                      n_hidden_layers=meta["n_hidden_layers"], width=meta["width"],
                      max_batch=meta.get("max_batch", 1), seed=seed)


def load_npz(path, **sizes):
    """A Cortex or Cerebellum rebuilt from an .npz written by save_npz (or by hand with
    PyTorch names: then the sizes are inferred, see infer_meta; `sizes` overrides)."""
    with np.load(path, allow_pickle=False) as data:
        arrays = {k: data[k] for k in data.files}
    meta = json.loads(str(arrays.pop(META))) if META in arrays else infer_meta(arrays)
    meta.update(sizes)
    obj = create(meta)
    try:
        load_state_dict(obj, arrays)
    except Exception:
        obj.close()
        raise
    return obj


def infer_meta(state, n_ctx=0):
    """Sizes of the object a torch-named state_dict describes: a cortex from
    weight_ih_l0 / weight_hh_l0 / readout.weight (the cell from G / H: 4 LSTM, 3 GRU,
    1 tanh), a cerebellum from its Linear layers (n_ctx of the inputs are context)."""
    shapes = {k: np.shape(v) for k, v in state.items()}
    if "weight_ih_l0" in shapes:
        g, n_in = shapes["weight_ih_l0"]
        h = shapes["weight_hh_l0"][1]
        cell = {4: "lstm", 3: "gru", 1: "tanh"}.get(g // h if g % h == 0 else 0)
        if cell is None:
            raise ValueError("weight_ih_l0 has %d rows, not 4, 3 or 1 times H = %d" % (g, h))
        return {"kind": "cortex", "cell": cell, "n_in": n_in, "n_hidden": h,
                "n_out": shapes["readout.weight"][0]}
    layers = sorted(int(k.split(".")[0]) for k in shapes if k.endswith(".weight")
                    and k.split(".")[0].isdigit())
    if not layers:
        raise ValueError("neither a cortex (weight_ih_l0) nor an nn.Sequential "
                         "cerebellum (0.weight): %s" % sorted(shapes))
    first, last = shapes["%d.weight" % layers[0]], shapes["%d.weight" % layers[-1]]
    return {"kind": "cerebellum", "n_in": first[1] - n_ctx, "n_ctx": n_ctx,
            "n_out": last[0], "n_hidden_layers": len(layers) - 1,
            "width": first[0] if len(layers) > 1 else 0}
