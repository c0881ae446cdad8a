"""
    Ccrnn

Julia bindings of libccrnn (cortico-cerebellar recurrent networks) through `ccall`.

Two layers:

  * Raw wrappers, one per function of `include/ccrnn/ccrnn.h`, with the C name, the C
    argument order and the C types (`ccrnn_cortex_forward(cx, x, nx, y, ny)`).
    Pointer arguments take arrays, `Ref`s or `C_NULL`; the status is returned.
    tests/ffi/test_header_mirror.py checks every `ccall` here against the header and
    the library's exported symbols.
  * A thin layer on top: `Cortex`, `Cerebellum`, `Optimizer` (freed by `close` or by
    the garbage collector), methods that throw `CcrnnError` on a non-OK status.

Layout: the library is row-major and batch-first; a Julia `Matrix{Float32}` is
column-major, so a (batch x n) C buffer is an `n x batch` Julia matrix: one column
per sample.  Pass `Float32` arrays; no conversion is done for you.

The library is `ENV["CCRNN_LIBRARY"]` if set when the module is loaded, else the
soname `libccrnn.so.1` found by the dynamic linker (set LD_LIBRARY_PATH, or use
`pkg-config --variable=libdir libccrnn`).  See docs/julia.md.
"""
module Ccrnn

export CcrnnError, Cortex, Cerebellum, Optimizer
export reset!, begin_window!, forward!, output_grad!, hidden_grad!, backward!, get_state!,
       set_state!, window_start_state!, params, grads, zero_grad!, set_param!, get_param,
       predict!, learn!, synthetic_gradient!, synthetic_gradient_learn!, add_cortex!,
       add_cerebellum!, step!, mse!

const libccrnn = get(ENV, "CCRNN_LIBRARY", "libccrnn.so.1")

# ---- enums (pinned numbers of ccrnn.h) -----------------------------------------------
const CCRNN_OK = 0
const CCRNN_ERR_NULL = 1
const CCRNN_ERR_ARG = 2
const CCRNN_ERR_SHAPE = 3
const CCRNN_ERR_STATE = 4
const CCRNN_ERR_NUMERIC = 5
const CCRNN_ERR_NOMEM = 6
const CCRNN_ERR_IO = 7
const CCRNN_ERR_FORMAT = 8
const CCRNN_ERR_CHECKSUM = 9
const CCRNN_ERR_VERSION = 10
const CCRNN_ERR_MISMATCH = 11

const CCRNN_CELL_LSTM = 0
const CCRNN_CELL_TANH = 1
const CCRNN_CELL_GRU = 2

const CCRNN_PARAM_THREADS = 0
const CCRNN_PARAM_TRAINING = 10
const CCRNN_PARAM_ABLATED = 20
const CCRNN_PARAM_IO_LESION = 21
const CCRNN_PARAM_LOSS_MEAN = 22
const CCRNN_PARAM_LR = 30
const CCRNN_PARAM_BETA1 = 31
const CCRNN_PARAM_BETA2 = 32
const CCRNN_PARAM_EPS = 33
const CCRNN_PARAM_WEIGHT_DECAY = 34
const CCRNN_PARAM_MOMENTUM = 35
const CCRNN_PARAM_ALPHA = 36
const CCRNN_PARAM_CLIP_NORM = 37
const CCRNN_PARAM_GRAD_NORM = 38
const CCRNN_PARAM_STEPS = 39

const CCRNN_CEREBELLUM_DEFAULT = 0
const CCRNN_CEREBELLUM_ZERO_LAST_WEIGHT_ONLY = 1

const CCRNN_WINDOW_DEFAULT = 0
const CCRNN_WINDOW_NO_SYNTHETIC = 1
const CCRNN_WINDOW_NO_LEARN = 2
const CCRNN_OPT_ADAM = 0
const CCRNN_OPT_SGD = 1
const CCRNN_OPT_RMSPROP = 2

const CCRNN_GROUP_LR_SCALE = 0
const CCRNN_GROUP_FROZEN = 1

# The header this file mirrors (CCRNN_VERSION_NUMBER).
const HEADER_VERSION_NUMBER = 301

# ---- raw wrappers: one per header function, in header order --------------------------
# Handles are Ptr{Cvoid}; T* is Ptr{T} (pass an array, a Ref or C_NULL).

ccrnn_strerror(status) = ccall((:ccrnn_strerror, libccrnn), Cstring, (Cint,), status)
ccrnn_last_error() = ccall((:ccrnn_last_error, libccrnn), Cstring, ())
ccrnn_version_number() = ccall((:ccrnn_version_number, libccrnn), Cuint, ())
ccrnn_version_string() = ccall((:ccrnn_version_string, libccrnn), Cstring, ())

# cortex
ccrnn_cortex_create(cell, n_in, n_hidden, n_out, max_batch, max_window, seed, out) =
    ccall((:ccrnn_cortex_create, libccrnn), Cint,
          (Cint, Csize_t, Csize_t, Csize_t, Csize_t, Csize_t, UInt64, Ptr{Ptr{Cvoid}}),
          cell, n_in, n_hidden, n_out, max_batch, max_window, seed, out)
ccrnn_cortex_destroy(cx) = ccall((:ccrnn_cortex_destroy, libccrnn), Cvoid, (Ptr{Cvoid},), cx)
ccrnn_cortex_clone(cx, out) =
    ccall((:ccrnn_cortex_clone, libccrnn), Cint, (Ptr{Cvoid}, Ptr{Ptr{Cvoid}}), cx, out)
ccrnn_cortex_set_param(cx, param, value) =
    ccall((:ccrnn_cortex_set_param, libccrnn), Cint, (Ptr{Cvoid}, Cint, Cdouble), cx, param, value)
ccrnn_cortex_get_param(cx, param, value) =
    ccall((:ccrnn_cortex_get_param, libccrnn), Cint, (Ptr{Cvoid}, Cint, Ptr{Cdouble}),
          cx, param, value)
ccrnn_cortex_shape(cx, cell, n_in, n_hidden, n_out, state_size, max_batch, max_window) =
    ccall((:ccrnn_cortex_shape, libccrnn), Cint,
          (Ptr{Cvoid}, Ptr{Cint}, Ptr{Csize_t}, Ptr{Csize_t}, Ptr{Csize_t}, Ptr{Csize_t},
           Ptr{Csize_t}, Ptr{Csize_t}),
          cx, cell, n_in, n_hidden, n_out, state_size, max_batch, max_window)
ccrnn_cortex_reset(cx, batch) =
    ccall((:ccrnn_cortex_reset, libccrnn), Cint, (Ptr{Cvoid}, Csize_t), cx, batch)
ccrnn_cortex_begin_window(cx) =
    ccall((:ccrnn_cortex_begin_window, libccrnn), Cint, (Ptr{Cvoid},), cx)
ccrnn_cortex_forward(cx, x, nx, y, ny) =
    ccall((:ccrnn_cortex_forward, libccrnn), Cint,
          (Ptr{Cvoid}, Ptr{Cfloat}, Csize_t, Ptr{Cfloat}, Csize_t), cx, x, nx, y, ny)
ccrnn_cortex_forward_steps(cx, steps, xs, nxs, ys, nys) =
    ccall((:ccrnn_cortex_forward_steps, libccrnn), Cint,
          (Ptr{Cvoid}, Csize_t, Ptr{Cfloat}, Csize_t, Ptr{Cfloat}, Csize_t), cx, steps, xs, nxs, ys, nys)
ccrnn_cortex_output_grad(cx, step, dy, n) =
    ccall((:ccrnn_cortex_output_grad, libccrnn), Cint,
          (Ptr{Cvoid}, Csize_t, Ptr{Cfloat}, Csize_t), cx, step, dy, n)
ccrnn_cortex_hidden_grad(cx, step, dh, n) =
    ccall((:ccrnn_cortex_hidden_grad, libccrnn), Cint,
          (Ptr{Cvoid}, Csize_t, Ptr{Cfloat}, Csize_t), cx, step, dh, n)
ccrnn_cortex_backward(cx, dz_end, n_end, dz_start, n_start) =
    ccall((:ccrnn_cortex_backward, libccrnn), Cint,
          (Ptr{Cvoid}, Ptr{Cfloat}, Csize_t, Ptr{Cfloat}, Csize_t),
          cx, dz_end, n_end, dz_start, n_start)
ccrnn_cortex_input_grad(cx, dx, n) =
    ccall((:ccrnn_cortex_input_grad, libccrnn), Cint, (Ptr{Cvoid}, Ptr{Cfloat}, Csize_t),
          cx, dx, n)
ccrnn_cortex_window_length(cx, steps) =
    ccall((:ccrnn_cortex_window_length, libccrnn), Cint, (Ptr{Cvoid}, Ptr{Csize_t}), cx, steps)
ccrnn_cortex_batch(cx, batch) =
    ccall((:ccrnn_cortex_batch, libccrnn), Cint, (Ptr{Cvoid}, Ptr{Csize_t}), cx, batch)
ccrnn_cortex_get_state(cx, z, n) =
    ccall((:ccrnn_cortex_get_state, libccrnn), Cint, (Ptr{Cvoid}, Ptr{Cfloat}, Csize_t),
          cx, z, n)
ccrnn_cortex_set_state(cx, z, n) =
    ccall((:ccrnn_cortex_set_state, libccrnn), Cint, (Ptr{Cvoid}, Ptr{Cfloat}, Csize_t),
          cx, z, n)
ccrnn_cortex_window_start_state(cx, z, n) =
    ccall((:ccrnn_cortex_window_start_state, libccrnn), Cint,
          (Ptr{Cvoid}, Ptr{Cfloat}, Csize_t), cx, z, n)
ccrnn_cortex_hidden(cx, step, h, n) =
    ccall((:ccrnn_cortex_hidden, libccrnn), Cint, (Ptr{Cvoid}, Csize_t, Ptr{Cfloat}, Csize_t),
          cx, step, h, n)
ccrnn_cortex_params(cx, values, grads, count) =
    ccall((:ccrnn_cortex_params, libccrnn), Cint,
          (Ptr{Cvoid}, Ptr{Ptr{Cfloat}}, Ptr{Ptr{Cfloat}}, Ptr{Csize_t}), cx, values, grads, count)
ccrnn_cortex_zero_grad(cx) = ccall((:ccrnn_cortex_zero_grad, libccrnn), Cint, (Ptr{Cvoid},), cx)
ccrnn_cortex_set_values(cx, values, count) =
    ccall((:ccrnn_cortex_set_values, libccrnn), Cint, (Ptr{Cvoid}, Ptr{Cfloat}, Csize_t),
          cx, values, count)
ccrnn_cortex_sync(dst, src) =
    ccall((:ccrnn_cortex_sync, libccrnn), Cint, (Ptr{Cvoid}, Ptr{Cvoid}), dst, src)
ccrnn_param_bounds(param, lo, hi) =
    ccall((:ccrnn_param_bounds, libccrnn), Cint, (Cint, Ptr{Cdouble}, Ptr{Cdouble}), param, lo, hi)
ccrnn_cortex_tensor_count(cx, count) =
    ccall((:ccrnn_cortex_tensor_count, libccrnn), Cint, (Ptr{Cvoid}, Ptr{Csize_t}), cx, count)
ccrnn_cortex_tensor_info(cx, index, name, rows, cols, offset) =
    ccall((:ccrnn_cortex_tensor_info, libccrnn), Cint,
          (Ptr{Cvoid}, Csize_t, Ptr{Ptr{UInt8}}, Ptr{Csize_t}, Ptr{Csize_t}, Ptr{Csize_t}),
          cx, index, name, rows, cols, offset)
ccrnn_cortex_get_tensor(cx, name, buf, n) =
    ccall((:ccrnn_cortex_get_tensor, libccrnn), Cint,
          (Ptr{Cvoid}, Cstring, Ptr{Cfloat}, Csize_t), cx, name, buf, n)
ccrnn_cortex_set_tensor(cx, name, buf, n) =
    ccall((:ccrnn_cortex_set_tensor, libccrnn), Cint,
          (Ptr{Cvoid}, Cstring, Ptr{Cfloat}, Csize_t), cx, name, buf, n)

# cerebellum
ccrnn_cerebellum_create(n_in, n_ctx, n_out, n_hidden_layers, width, max_batch, seed, flags, out) =
    ccall((:ccrnn_cerebellum_create, libccrnn), Cint,
          (Csize_t, Csize_t, Csize_t, Csize_t, Csize_t, Csize_t, UInt64, Cuint, Ptr{Ptr{Cvoid}}),
          n_in, n_ctx, n_out, n_hidden_layers, width, max_batch, seed, flags, out)
ccrnn_cerebellum_destroy(cb) =
    ccall((:ccrnn_cerebellum_destroy, libccrnn), Cvoid, (Ptr{Cvoid},), cb)
ccrnn_cerebellum_clone(cb, out) =
    ccall((:ccrnn_cerebellum_clone, libccrnn), Cint, (Ptr{Cvoid}, Ptr{Ptr{Cvoid}}), cb, out)
ccrnn_cerebellum_set_param(cb, param, value) =
    ccall((:ccrnn_cerebellum_set_param, libccrnn), Cint, (Ptr{Cvoid}, Cint, Cdouble),
          cb, param, value)
ccrnn_cerebellum_get_param(cb, param, value) =
    ccall((:ccrnn_cerebellum_get_param, libccrnn), Cint, (Ptr{Cvoid}, Cint, Ptr{Cdouble}),
          cb, param, value)
ccrnn_cerebellum_shape(cb, n_in, n_ctx, n_out, n_hidden_layers, width, max_batch) =
    ccall((:ccrnn_cerebellum_shape, libccrnn), Cint,
          (Ptr{Cvoid}, Ptr{Csize_t}, Ptr{Csize_t}, Ptr{Csize_t}, Ptr{Csize_t}, Ptr{Csize_t},
           Ptr{Csize_t}),
          cb, n_in, n_ctx, n_out, n_hidden_layers, width, max_batch)
ccrnn_cerebellum_set_fibres(cb, n_fibres, seed) =
    ccall((:ccrnn_cerebellum_set_fibres, libccrnn), Cint, (Ptr{Cvoid}, Csize_t, UInt64),
          cb, n_fibres, seed)
ccrnn_cerebellum_predict(cb, batch, input, n_in, ctx, n_ctx, out, n_out) =
    ccall((:ccrnn_cerebellum_predict, libccrnn), Cint,
          (Ptr{Cvoid}, Csize_t, Ptr{Cfloat}, Csize_t, Ptr{Cfloat}, Csize_t, Ptr{Cfloat}, Csize_t),
          cb, batch, input, n_in, ctx, n_ctx, out, n_out)
ccrnn_cerebellum_learn(cb, batch, input, n_in, ctx, n_ctx, target, n_target, loss) =
    ccall((:ccrnn_cerebellum_learn, libccrnn), Cint,
          (Ptr{Cvoid}, Csize_t, Ptr{Cfloat}, Csize_t, Ptr{Cfloat}, Csize_t, Ptr{Cfloat}, Csize_t,
           Ptr{Cdouble}),
          cb, batch, input, n_in, ctx, n_ctx, target, n_target, loss)
ccrnn_cerebellum_hidden(cb, layer, h, n) =
    ccall((:ccrnn_cerebellum_hidden, libccrnn), Cint,
          (Ptr{Cvoid}, Csize_t, Ptr{Cfloat}, Csize_t), cb, layer, h, n)
ccrnn_cerebellum_params(cb, values, grads, count) =
    ccall((:ccrnn_cerebellum_params, libccrnn), Cint,
          (Ptr{Cvoid}, Ptr{Ptr{Cfloat}}, Ptr{Ptr{Cfloat}}, Ptr{Csize_t}), cb, values, grads, count)
ccrnn_cerebellum_zero_grad(cb) =
    ccall((:ccrnn_cerebellum_zero_grad, libccrnn), Cint, (Ptr{Cvoid},), cb)
ccrnn_cerebellum_set_values(cb, values, count) =
    ccall((:ccrnn_cerebellum_set_values, libccrnn), Cint, (Ptr{Cvoid}, Ptr{Cfloat}, Csize_t),
          cb, values, count)
ccrnn_cerebellum_tensor_count(cb, count) =
    ccall((:ccrnn_cerebellum_tensor_count, libccrnn), Cint, (Ptr{Cvoid}, Ptr{Csize_t}), cb, count)
ccrnn_cerebellum_tensor_info(cb, index, name, rows, cols, offset) =
    ccall((:ccrnn_cerebellum_tensor_info, libccrnn), Cint,
          (Ptr{Cvoid}, Csize_t, Ptr{Ptr{UInt8}}, Ptr{Csize_t}, Ptr{Csize_t}, Ptr{Csize_t}),
          cb, index, name, rows, cols, offset)
ccrnn_cerebellum_get_tensor(cb, name, buf, n) =
    ccall((:ccrnn_cerebellum_get_tensor, libccrnn), Cint,
          (Ptr{Cvoid}, Cstring, Ptr{Cfloat}, Csize_t), cb, name, buf, n)
ccrnn_cerebellum_set_tensor(cb, name, buf, n) =
    ccall((:ccrnn_cerebellum_set_tensor, libccrnn), Cint,
          (Ptr{Cvoid}, Cstring, Ptr{Cfloat}, Csize_t), cb, name, buf, n)

# synthetic-gradient glue
ccrnn_synthetic_gradient(cb, cx, ctx, n_ctx, scale, dz, n) =
    ccall((:ccrnn_synthetic_gradient, libccrnn), Cint,
          (Ptr{Cvoid}, Ptr{Cvoid}, Ptr{Cfloat}, Csize_t, Cdouble, Ptr{Cfloat}, Csize_t),
          cb, cx, ctx, n_ctx, scale, dz, n)
ccrnn_window_end(cx, cb, ctx, ctx_len, scale, flags, dz_start, dz_start_len, cb_loss) =
    ccall((:ccrnn_window_end, libccrnn), Cint,
          (Ptr{Cvoid}, Ptr{Cvoid}, Ptr{Cfloat}, Csize_t, Cdouble, Cuint, Ptr{Cfloat}, Csize_t,
           Ptr{Cdouble}), cx, cb, ctx, ctx_len, scale, flags, dz_start, dz_start_len, cb_loss)
ccrnn_synthetic_gradient_learn(cb, cx, ctx, n_ctx, dz_start, n, loss) =
    ccall((:ccrnn_synthetic_gradient_learn, libccrnn), Cint,
          (Ptr{Cvoid}, Ptr{Cvoid}, Ptr{Cfloat}, Csize_t, Ptr{Cfloat}, Csize_t, Ptr{Cdouble}),
          cb, cx, ctx, n_ctx, dz_start, n, loss)

# optimizer
ccrnn_optimizer_create(kind, out) =
    ccall((:ccrnn_optimizer_create, libccrnn), Cint, (Cint, Ptr{Ptr{Cvoid}}), kind, out)
ccrnn_optimizer_destroy(opt) =
    ccall((:ccrnn_optimizer_destroy, libccrnn), Cvoid, (Ptr{Cvoid},), opt)
ccrnn_optimizer_set_param(opt, param, value) =
    ccall((:ccrnn_optimizer_set_param, libccrnn), Cint, (Ptr{Cvoid}, Cint, Cdouble),
          opt, param, value)
ccrnn_optimizer_get_param(opt, param, value) =
    ccall((:ccrnn_optimizer_get_param, libccrnn), Cint, (Ptr{Cvoid}, Cint, Ptr{Cdouble}),
          opt, param, value)
ccrnn_optimizer_add_cortex(opt, cx, group) =
    ccall((:ccrnn_optimizer_add_cortex, libccrnn), Cint, (Ptr{Cvoid}, Ptr{Cvoid}, Ptr{Csize_t}),
          opt, cx, group)
ccrnn_optimizer_add_cerebellum(opt, cb, group) =
    ccall((:ccrnn_optimizer_add_cerebellum, libccrnn), Cint,
          (Ptr{Cvoid}, Ptr{Cvoid}, Ptr{Csize_t}), opt, cb, group)
ccrnn_optimizer_add_params(opt, values, grads, count, group) =
    ccall((:ccrnn_optimizer_add_params, libccrnn), Cint,
          (Ptr{Cvoid}, Ptr{Cfloat}, Ptr{Cfloat}, Csize_t, Ptr{Csize_t}),
          opt, values, grads, count, group)
ccrnn_optimizer_set_group_param(opt, group, param, value) =
    ccall((:ccrnn_optimizer_set_group_param, libccrnn), Cint,
          (Ptr{Cvoid}, Csize_t, Cint, Cdouble), opt, group, param, value)
ccrnn_optimizer_get_group_param(opt, group, param, value) =
    ccall((:ccrnn_optimizer_get_group_param, libccrnn), Cint,
          (Ptr{Cvoid}, Csize_t, Cint, Ptr{Cdouble}), opt, group, param, value)
ccrnn_optimizer_step(opt) = ccall((:ccrnn_optimizer_step, libccrnn), Cint, (Ptr{Cvoid},), opt)
ccrnn_optimizer_zero_grad(opt) =
    ccall((:ccrnn_optimizer_zero_grad, libccrnn), Cint, (Ptr{Cvoid},), opt)

# losses
ccrnn_loss_mse(y, target, n, dim, mask, n_mask, denom, dy, loss) =
    ccall((:ccrnn_loss_mse, libccrnn), Cint,
          (Ptr{Cfloat}, Ptr{Cfloat}, Csize_t, Csize_t, Ptr{Cfloat}, Csize_t, Cdouble, Ptr{Cfloat},
           Ptr{Cdouble}),
          y, target, n, dim, mask, n_mask, denom, dy, loss)
ccrnn_loss_softmax_xent(logits, n, classes, labels, n_labels, denom, dy, loss, n_correct) =
    ccall((:ccrnn_loss_softmax_xent, libccrnn), Cint,
          (Ptr{Cfloat}, Csize_t, Csize_t, Ptr{Int32}, Csize_t, Cdouble, Ptr{Cfloat}, Ptr{Cdouble},
           Ptr{Csize_t}),
          logits, n, classes, labels, n_labels, denom, dy, loss, n_correct)

# checkpoints
ccrnn_cortex_save(cx, path) =
    ccall((:ccrnn_cortex_save, libccrnn), Cint, (Ptr{Cvoid}, Cstring), cx, path)
ccrnn_cortex_load(path, out) =
    ccall((:ccrnn_cortex_load, libccrnn), Cint, (Cstring, Ptr{Ptr{Cvoid}}), path, out)
ccrnn_cortex_save_mem(cx, buf, cap, size) =
    ccall((:ccrnn_cortex_save_mem, libccrnn), Cint, (Ptr{Cvoid}, Ptr{Cvoid}, Csize_t, Ptr{Csize_t}),
          cx, buf, cap, size)
ccrnn_cortex_load_mem(buf, size, out) =
    ccall((:ccrnn_cortex_load_mem, libccrnn), Cint, (Ptr{Cvoid}, Csize_t, Ptr{Ptr{Cvoid}}),
          buf, size, out)
ccrnn_cerebellum_save(cb, path) =
    ccall((:ccrnn_cerebellum_save, libccrnn), Cint, (Ptr{Cvoid}, Cstring), cb, path)
ccrnn_cerebellum_load(path, out) =
    ccall((:ccrnn_cerebellum_load, libccrnn), Cint, (Cstring, Ptr{Ptr{Cvoid}}), path, out)
ccrnn_cerebellum_save_mem(cb, buf, cap, size) =
    ccall((:ccrnn_cerebellum_save_mem, libccrnn), Cint,
          (Ptr{Cvoid}, Ptr{Cvoid}, Csize_t, Ptr{Csize_t}), cb, buf, cap, size)
ccrnn_cerebellum_load_mem(buf, size, out) =
    ccall((:ccrnn_cerebellum_load_mem, libccrnn), Cint, (Ptr{Cvoid}, Csize_t, Ptr{Ptr{Cvoid}}),
          buf, size, out)
ccrnn_optimizer_save(opt, path) =
    ccall((:ccrnn_optimizer_save, libccrnn), Cint, (Ptr{Cvoid}, Cstring), opt, path)
ccrnn_optimizer_load(opt, path) =
    ccall((:ccrnn_optimizer_load, libccrnn), Cint, (Ptr{Cvoid}, Cstring), opt, path)
ccrnn_optimizer_save_mem(opt, buf, cap, size) =
    ccall((:ccrnn_optimizer_save_mem, libccrnn), Cint,
          (Ptr{Cvoid}, Ptr{Cvoid}, Csize_t, Ptr{Csize_t}), opt, buf, cap, size)
ccrnn_optimizer_load_mem(opt, buf, size) =
    ccall((:ccrnn_optimizer_load_mem, libccrnn), Cint, (Ptr{Cvoid}, Ptr{Cvoid}, Csize_t),
          opt, buf, size)

# ---- errors --------------------------------------------------------------------------

"""A non-OK status: `status` (the CCRNN_ERR_* code), `name` (ccrnn_strerror) and
`message` (ccrnn_last_error of the failed call, on this thread)."""
struct CcrnnError <: Exception
    status::Int
    name::String
    message::String
end

Base.showerror(io::IO, e::CcrnnError) =
    print(io, "CcrnnError(", e.status, ", ", e.name, "): ", e.message)

"""Throw a CcrnnError for a non-OK status; `nothing` otherwise."""
function check(status::Integer)
    status == CCRNN_OK && return nothing
    throw(CcrnnError(Int(status), unsafe_string(ccrnn_strerror(status)),
                     unsafe_string(ccrnn_last_error())))
end

version() = unsafe_string(ccrnn_version_string())

function __init__()
    v = Int(ccrnn_version_number())
    if div(v, 10000) != div(HEADER_VERSION_NUMBER, 10000) || v < HEADER_VERSION_NUMBER
        error("$(libccrnn) is version $(v); this module mirrors the header $(HEADER_VERSION_NUMBER)")
    end
end

# ---- handles -------------------------------------------------------------------------

"""A cortex.  Arrays are `n x batch` Float32 matrices (one column per sample)."""
mutable struct Cortex
    ptr::Ptr{Cvoid}
    n_in::Int
    n_hidden::Int
    n_out::Int
    state_size::Int
    batch::Int
    function Cortex(cell::Integer, n_in, n_hidden, n_out; max_batch=1, max_window=1, seed=0)
        out = Ref{Ptr{Cvoid}}(C_NULL)
        check(ccrnn_cortex_create(cell, n_in, n_hidden, n_out, max_batch, max_window, seed, out))
        z = Ref{Csize_t}(0)
        check(ccrnn_cortex_shape(out[], C_NULL, C_NULL, C_NULL, C_NULL, z, C_NULL, C_NULL))
        cx = new(out[], n_in, n_hidden, n_out, Int(z[]), max_batch)
        finalizer(close, cx)
    end
end

"""A cerebellum: an MLP from n_in (+ n_ctx) to n_out."""
mutable struct Cerebellum
    ptr::Ptr{Cvoid}
    n_in::Int
    n_out::Int
    function Cerebellum(n_in, n_out; n_ctx=0, n_hidden_layers=1, width=2n_in, max_batch=1,
                        seed=0, flags=CCRNN_CEREBELLUM_DEFAULT)
        out = Ref{Ptr{Cvoid}}(C_NULL)
        check(ccrnn_cerebellum_create(n_in, n_ctx, n_out, n_hidden_layers, width, max_batch,
                                      seed, flags, out))
        finalizer(close, new(out[], n_in, n_out))
    end
end

"""An optimizer; it keeps the objects attached to it alive."""
mutable struct Optimizer
    ptr::Ptr{Cvoid}
    attached::Vector{Any}
    function Optimizer(kind::Integer=CCRNN_OPT_ADAM)
        out = Ref{Ptr{Cvoid}}(C_NULL)
        check(ccrnn_optimizer_create(kind, out))
        finalizer(close, new(out[], Any[]))
    end
end

function Base.close(cx::Cortex)
    cx.ptr == C_NULL || ccrnn_cortex_destroy(cx.ptr)
    cx.ptr = C_NULL
    nothing
end
function Base.close(cb::Cerebellum)
    cb.ptr == C_NULL || ccrnn_cerebellum_destroy(cb.ptr)
    cb.ptr = C_NULL
    nothing
end
function Base.close(opt::Optimizer)
    opt.ptr == C_NULL || ccrnn_optimizer_destroy(opt.ptr)
    opt.ptr = C_NULL
    empty!(opt.attached)
    nothing
end

live(h) = h.ptr == C_NULL ? throw(CcrnnError(CCRNN_ERR_STATE, "closed", "handle is closed")) : h.ptr

# ---- thin methods ------------------------------------------------------------------------

set_param!(cx::Cortex, p, v) = check(ccrnn_cortex_set_param(live(cx), p, v))
set_param!(cb::Cerebellum, p, v) = check(ccrnn_cerebellum_set_param(live(cb), p, v))
set_param!(opt::Optimizer, p, v) = check(ccrnn_optimizer_set_param(live(opt), p, v))
function get_param(opt::Optimizer, p)
    v = Ref{Cdouble}(0)
    check(ccrnn_optimizer_get_param(live(opt), p, v))
    v[]
end

function reset!(cx::Cortex, batch=cx.batch)
    check(ccrnn_cortex_reset(live(cx), batch))
    cx.batch = batch
    cx
end
begin_window!(cx::Cortex) = (check(ccrnn_cortex_begin_window(live(cx))); cx)

"""y = forward!(y, cx, x): one step; x is n_in x batch, y n_out x batch (or `nothing`)."""
function forward!(y::Union{Nothing,Matrix{Float32}}, cx::Cortex, x::Matrix{Float32})
    if y === nothing
        check(ccrnn_cortex_forward(live(cx), x, length(x), C_NULL, 0))
    else
        check(ccrnn_cortex_forward(live(cx), x, length(x), y, length(y)))
    end
    y
end
output_grad!(cx::Cortex, step, dy::Matrix{Float32}) =
    check(ccrnn_cortex_output_grad(live(cx), step, dy, length(dy)))
hidden_grad!(cx::Cortex, step, dh::Matrix{Float32}) =
    check(ccrnn_cortex_hidden_grad(live(cx), step, dh, length(dh)))

"""backward!(dz_start, cx, dz_end): either may be `nothing`; returns dz_start."""
function backward!(dz_start, cx::Cortex, dz_end)
    pe, ne = dz_end === nothing ? (C_NULL, 0) : (dz_end, length(dz_end))
    ps, ns = dz_start === nothing ? (C_NULL, 0) : (dz_start, length(dz_start))
    check(ccrnn_cortex_backward(live(cx), pe, ne, ps, ns))
    dz_start
end

get_state!(z::Matrix{Float32}, cx::Cortex) = (check(ccrnn_cortex_get_state(live(cx), z, length(z))); z)
set_state!(cx::Cortex, z::Matrix{Float32}) = check(ccrnn_cortex_set_state(live(cx), z, length(z)))
window_start_state!(z::Matrix{Float32}, cx::Cortex) =
    (check(ccrnn_cortex_window_start_state(live(cx), z, length(z))); z)

"""Flat Float32 vectors aliasing the library's parameters and gradients (no copy).
Valid while the handle is open; keep the handle referenced while you use them."""
function params(cx::Cortex)
    v, g, n = Ref{Ptr{Cfloat}}(C_NULL), Ref{Ptr{Cfloat}}(C_NULL), Ref{Csize_t}(0)
    check(ccrnn_cortex_params(live(cx), v, g, n))
    unsafe_wrap(Vector{Float32}, v[], Int(n[]); own=false)
end
function grads(cx::Cortex)
    v, g, n = Ref{Ptr{Cfloat}}(C_NULL), Ref{Ptr{Cfloat}}(C_NULL), Ref{Csize_t}(0)
    check(ccrnn_cortex_params(live(cx), v, g, n))
    unsafe_wrap(Vector{Float32}, g[], Int(n[]); own=false)
end
function params(cb::Cerebellum)
    v, g, n = Ref{Ptr{Cfloat}}(C_NULL), Ref{Ptr{Cfloat}}(C_NULL), Ref{Csize_t}(0)
    check(ccrnn_cerebellum_params(live(cb), v, g, n))
    unsafe_wrap(Vector{Float32}, v[], Int(n[]); own=false)
end
zero_grad!(cx::Cortex) = check(ccrnn_cortex_zero_grad(live(cx)))
zero_grad!(opt::Optimizer) = check(ccrnn_optimizer_zero_grad(live(opt)))

function predict!(out::Matrix{Float32}, cb::Cerebellum, input::Matrix{Float32})
    check(ccrnn_cerebellum_predict(live(cb), size(input, 2), input, length(input), C_NULL, 0, out,
                                   length(out)))
    out
end
function learn!(cb::Cerebellum, input::Matrix{Float32}, target::Matrix{Float32})
    loss = Ref{Cdouble}(0)
    check(ccrnn_cerebellum_learn(live(cb), size(input, 2), input, length(input), C_NULL, 0, target,
                                 length(target), loss))
    loss[]
end

"""dz = synthetic_gradient!(dz, cb, cx, scale): scale * C(z) at the cortex's state."""
function synthetic_gradient!(dz::Matrix{Float32}, cb::Cerebellum, cx::Cortex, scale=0.1)
    check(ccrnn_synthetic_gradient(live(cb), live(cx), C_NULL, 0, scale, dz, length(dz)))
    dz
end
function synthetic_gradient_learn!(cb::Cerebellum, cx::Cortex, dz_start::Matrix{Float32})
    loss = Ref{Cdouble}(0)
    check(ccrnn_synthetic_gradient_learn(live(cb), live(cx), C_NULL, 0, dz_start,
                                         length(dz_start), loss))
    loss[]
end

function add_cortex!(opt::Optimizer, cx::Cortex)
    g = Ref{Csize_t}(0)
    check(ccrnn_optimizer_add_cortex(live(opt), live(cx), g))
    push!(opt.attached, cx)
    Int(g[])
end
function add_cerebellum!(opt::Optimizer, cb::Cerebellum)
    g = Ref{Csize_t}(0)
    check(ccrnn_optimizer_add_cerebellum(live(opt), live(cb), g))
    push!(opt.attached, cb)
    Int(g[])
end
step!(opt::Optimizer) = check(ccrnn_optimizer_step(live(opt)))

"""loss = mse!(dy, y, target; mask, denom): MSE over dim x batch matrices; dy may be
`nothing`; mask is a batch-length Float32 vector or `nothing`."""
function mse!(dy, y::Matrix{Float32}, target::Matrix{Float32}; mask=nothing, denom=0.0)
    loss = Ref{Cdouble}(0)
    pdy = dy === nothing ? C_NULL : dy
    pm, nm = mask === nothing ? (C_NULL, 0) : (mask, length(mask))
    check(ccrnn_loss_mse(y, target, length(y), size(y, 1), pm, nm, denom, pdy, loss))
    loss[]
end

end # module
