# Quick start: the ccRNN training loop from Julia (the same toy task as
# examples/ffi/python/quickstart.py).  A cue in [-1, 1] is shown at step 0 only and
# the output must equal it at every step 0..4; windows of one step (tau = 1), the
# cerebellum's synthetic gradient at each window end.
#
#   CCRNN_LIBRARY=build/lib/libccrnn.so.1 julia examples/ffi/julia/quickstart.jl
#
# Matrices are n x batch (one column per sample): the C library's batch-first rows.
include(joinpath(@__DIR__, "Ccrnn.jl"))
using .Ccrnn
using Printf

const B, L, H = 16, 5, 32

cx = Cortex(Ccrnn.CCRNN_CELL_LSTM, 1, H, 1; max_batch=B, max_window=1, seed=1)
cb = Cerebellum(cx.state_size, cx.state_size; n_hidden_layers=1, width=128, max_batch=B, seed=2)
opt = Optimizer(Ccrnn.CCRNN_OPT_ADAM)
set_param!(opt, Ccrnn.CCRNN_PARAM_LR, 3e-3)
set_param!(opt, Ccrnn.CCRNN_PARAM_BETA2, 0.98)
set_param!(opt, Ccrnn.CCRNN_PARAM_EPS, 1e-9)
set_param!(opt, Ccrnn.CCRNN_PARAM_CLIP_NORM, 1.0)
add_cortex!(opt, cx)
add_cerebellum!(opt, cb)

x = zeros(Float32, 1, B)
y = zeros(Float32, 1, B)
dy = zeros(Float32, 1, B)
dz_end = zeros(Float32, cx.state_size, B)
dz_start = zeros(Float32, cx.state_size, B)
for batch in 0:300
    cue = rand(Float32, 1, B) .* 2 .- 1
    reset!(cx, B)                                # z = 0
    total = 0.0
    for t in 0:L-1
        begin_window!(cx)                        # z_t is detached
        x .= t == 0 ? cue : 0.0f0
        forward!(y, cx, x)
        total += mse!(dy, y, cue)
        output_grad!(cx, 0, dy)
        synthetic_gradient!(dz_end, cb, cx, 0.1) # 0.1 C(z_{t+1})
        backward!(dz_start, cx, dz_end)          # true gradient at z_t
        synthetic_gradient_learn!(cb, cx, dz_start)
    end
    step!(opt)                                   # clip, Adam, zero the gradients
    if batch % 50 == 0
        @printf("batch %3d  loss %.4f  grad norm %.3f\n", batch, total / L,
                get_param(opt, Ccrnn.CCRNN_PARAM_GRAD_NORM))
    end
end
println("cortex parameters: ", length(params(cx)))
close(opt)  # before the objects it updates
close(cb)
close(cx)
