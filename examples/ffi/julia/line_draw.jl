# The simple line-drawing task (docs/model.md §line drawing), cRNN against ccRNN, from
# Julia.
#
# A port of examples/ffi/python/line_draw.py (itself a port of the C program
# examples/line-draw): the same data streams (xoshiro256** seeded through splitmix64,
# as examples/common/rng.c), model seeds, call sequence and summation order, so for
# the same seed it is meant to print the C program's numbers.  Julia is not packaged
# in Debian 12, so this file has not been run in CI; tests/ffi/test_header_mirror.py
# checks the ccall wrappers it uses against the header and the library.
#
#   CCRNN_LIBRARY=build/lib/libccrnn.so.1 julia examples/ffi/julia/line_draw.jl 1 2
#   (arguments: seed, epochs; writes line-draw-julia-curves.csv)
#
# Julia arrays are column-major: a (batch x n) C buffer is an n x batch matrix here.

include(joinpath(@__DIR__, "Ccrnn.jl"))
using .Ccrnn
using Printf

const STEPS = 10
const MIN_CUE, MAX_CUE = -3, 3
const ANGLES = Dict(-3 => 300.0, -2 => 240.0, -1 => 180.0, 0 => 0.0, 1 => 120.0, 2 => 60.0,
                    3 => 0.0)
const TRAIN, VALID, TEST = 0, 1, 2
const BATCH = 50

# C's libm, so that sin/cos/hypot round exactly as in the C program.
csin(x::Float64) = ccall((:sin, "libm.so.6"), Cdouble, (Cdouble,), x)
ccos(x::Float64) = ccall((:cos, "libm.so.6"), Cdouble, (Cdouble,), x)
chypot(a::Float64, b::Float64) = ccall((:hypot, "libm.so.6"), Cdouble, (Cdouble, Cdouble), a, b)
clog(x::Float64) = ccall((:log, "libm.so.6"), Cdouble, (Cdouble,), x)

# ---- examples/common/rng.c (UInt64 arithmetic wraps, as in C) ----------------------------
function splitmix64(x::UInt64)
    x += 0x9E3779B97F4A7C15
    z = (x ⊻ (x >> 30)) * 0xBF58476D1CE4E5B9
    z = (z ⊻ (z >> 27)) * 0x94D049BB133111EB
    return x, z ⊻ (z >> 31)
end

function ex_hash(a::UInt64, b::UInt64)
    _, h = splitmix64(a)
    _, h = splitmix64(h ⊻ b)
    return h
end

rotl(x::UInt64, k) = (x << k) | (x >> (64 - k))

mutable struct Rng
    s::Vector{UInt64}
end

function Rng(seed::UInt64)
    s, x = UInt64[], seed
    for _ in 1:4
        x, z = splitmix64(x)
        push!(s, z)
    end
    Rng(s)
end

function next!(r::Rng)
    s = r.s
    result = rotl(s[2] * 5, 7) * 9
    t = s[2] << 17
    s[3] ⊻= s[1]
    s[4] ⊻= s[2]
    s[2] ⊻= s[3]
    s[1] ⊻= s[4]
    s[3] ⊻= t
    s[4] = rotl(s[4], 45)
    return result
end

uniform!(r::Rng) = Float64(next!(r) >> 11) * 2.0^-53

function integer!(r::Rng, lo::Int, hi::Int)
    span = UInt64(hi - lo + 1)
    limit = typemax(UInt64) - typemax(UInt64) % span
    v = next!(r)
    while v >= limit
        v = next!(r)
    end
    return lo + Int(v % span)
end

function normal!(r::Rng)
    u1, u2 = uniform!(r), uniform!(r)
    u1 = max(u1, 1e-300)
    return sqrt(-2.0 * clog(u1)) * ccos(6.283185307179586 * u2)
end

# ---- the task ----------------------------------------------------------------------------
function endpoint(cue::Int)
    cue == 0 && return 0.0, 0.0
    th = ANGLES[cue] * 3.14159265358979323846 / 180.0
    return 10.0 * csin(th), 10.0 * ccos(th)
end

"""Target path as a 2 x L Float32 matrix."""
function target_path(cue::Int)
    ex, ey = endpoint(cue)
    out = Matrix{Float32}(undef, 2, STEPS)
    for t in 0:STEPS-1
        f = t / (STEPS - 1)
        out[1, t+1] = Float32(f * ex)
        out[2, t+1] = Float32(f * ey)
    end
    out
end

sample_rng(seed, split, epoch, index) =
    Rng(ex_hash(ex_hash(UInt64(seed), UInt64(split) * 0x100000000 + UInt64(epoch)), UInt64(index)))

"""x (1 x L x count), y (2 x L x count) and the cues of samples first..first+count-1."""
function fill_batch(seed, noise, split, epoch, first, count)
    x = zeros(Float32, 1, STEPS, count)
    y = Array{Float32}(undef, 2, STEPS, count)
    cues = Int[]
    for j in 1:count
        r = sample_rng(seed, split, epoch, first + j - 1)
        cue = integer!(r, MIN_CUE, MAX_CUE)
        x[1, 1, j] = Float32(0.1 * cue)
        for t in 2:STEPS
            x[1, t, j] = noise > 0 ? Float32(noise * normal!(r)) : 0.0f0
        end
        y[:, :, j] = target_path(cue)
        push!(cues, cue)
    end
    x, y, cues
end

# ---- the model and the training loop (docs/model.md §learning procedure) ---------------
struct Model
    cx::Cortex
    cb::Union{Nothing,Cerebellum}
    opt::Optimizer
    tau::Int
    sparse::Int
end

function Model(seed; cerebellum::Bool, tau=1, sparse=2, hidden=50)
    cx = Cortex(Ccrnn.CCRNN_CELL_LSTM, 1, hidden, 2; max_batch=BATCH, max_window=min(tau, STEPS),
                seed=seed)
    opt = Optimizer(Ccrnn.CCRNN_OPT_ADAM)
    set_param!(opt, Ccrnn.CCRNN_PARAM_LR, 1e-3)
    set_param!(opt, Ccrnn.CCRNN_PARAM_BETA1, 0.9)
    set_param!(opt, Ccrnn.CCRNN_PARAM_BETA2, 0.98)
    set_param!(opt, Ccrnn.CCRNN_PARAM_EPS, 1e-9)
    set_param!(opt, Ccrnn.CCRNN_PARAM_CLIP_NORM, 1.0)
    add_cortex!(opt, cx)
    cb = nothing
    if cerebellum  # 2H -> 400 -> 400 -> 2H
        cb = Cerebellum(cx.state_size, cx.state_size; n_hidden_layers=2, width=400,
                        max_batch=BATCH, seed=ex_hash(UInt64(seed), UInt64(0xCEBE11)))
        add_cerebellum!(opt, cb)
    end
    Model(cx, cb, opt, tau, sparse)
end

function Base.close(m::Model)
    close(m.opt)  # before the objects it updates
    m.cb === nothing || close(m.cb)
    close(m.cx)
end

function train_batch!(m::Model, x, y)
    B = size(x, 3)
    cx, cb, tau = m.cx, m.cb, m.tau
    yt = Matrix{Float32}(undef, 2, B)
    dy = similar(yt)
    dz_end = Matrix{Float32}(undef, cx.state_size, B)
    dz_start = similar(dz_end)
    reported = 0.0
    reset!(cx, B)
    for k in 0:div(STEPS - 1, tau)
        start, stop = k * tau, min((k + 1) * tau, STEPS)
        n_sup = count(t -> t % m.sparse == 0, start:stop-1)
        begin_window!(cx)
        for t in start:stop-1
            forward!(yt, cx, x[:, t+1, :])
            t % m.sparse == 0 || continue
            loss = mse!(dy, yt, y[:, t+1, :]; denom=Float64(B * n_sup * 2))
            reported += loss * Float64(n_sup * 2)
            output_grad!(cx, t - start, dy)
        end
        if cb !== nothing
            synthetic_gradient!(dz_end, cb, cx, 0.1)
            backward!(dz_start, cx, dz_end)
            synthetic_gradient_learn!(cb, cx, dz_start)
        elseif n_sup > 0
            backward!(nothing, cx, nothing)
        end
    end
    step!(m.opt)
    reported / STEPS
end

function predict(m::Model, x)
    n = size(x, 3)
    out = Array{Float32}(undef, 2, STEPS, n)
    set_param!(m.cx, Ccrnn.CCRNN_PARAM_TRAINING, 0)
    for first in 1:BATCH:n
        last = min(first + BATCH - 1, n)
        reset!(m.cx, last - first + 1)
        yt = Matrix{Float32}(undef, 2, last - first + 1)
        for t in 1:STEPS
            forward!(yt, m.cx, x[:, t, first:last])
            out[:, t, first:last] = yt
        end
    end
    set_param!(m.cx, Ccrnn.CCRNN_PARAM_TRAINING, 1)
    out
end

function evaluate(m::Model, seed, noise, split, n)
    total = 0.0
    for first in 0:BATCH:n-1
        count = min(BATCH, n - first)
        x, y, _ = fill_batch(seed, noise, split, 0, first, count)
        pred = predict(m, x)
        chunk = 0.0  # the C loop's order: sample, step, coordinate
        for b in 1:count, t in 1:STEPS, d in 1:2
            e = Float64(pred[d, t, b]) - Float64(y[d, t, b])
            chunk += e * e
        end
        total += chunk
    end
    total / (n * STEPS)
end

function train_run(seed, epochs; cerebellum, train_size=800, valid_size=200, test_size=10000)
    m = Model(seed; cerebellum=cerebellum)
    train, valid = Float64[], Float64[]
    try
        for epoch in 1:epochs
            loss = 0.0
            for first in 0:BATCH:train_size-1
                count = min(BATCH, train_size - first)
                x, y, _ = fill_batch(seed, 0.0, TRAIN, epoch, first, count)
                loss += train_batch!(m, x, y) * count
            end
            push!(train, loss / train_size)
            push!(valid, evaluate(m, seed, 0.0, VALID, valid_size))
        end
        test = evaluate(m, seed, 0.0, TEST, test_size)
        return train, valid, test
    finally
        close(m)
    end
end

function main(args)
    seed = length(args) >= 1 ? parse(Int, args[1]) : 1
    epochs = length(args) >= 2 ? parse(Int, args[2]) : 2
    println("line-draw (Julia, libccrnn ", Ccrnn.version(), "): seed ", seed, ", ", epochs,
            " epochs")
    open("line-draw-julia-curves.csv", "w") do io
        println(io, "epoch,model,seed,train,validation")
        for (name, cb) in (("crnn", false), ("ccrnn", true))
            train, valid, test = train_run(seed, epochs; cerebellum=cb)
            for e in 1:epochs
                println(io, e, ",", name, ",", seed, ",", @sprintf("%.9g", train[e]), ",",
                        @sprintf("%.9g", valid[e]))
            end
            @printf("  %-8s train %.4f  validation %.4f  test %.4f\n", name, train[end],
                    valid[end], test)
        end
    end
end

main(ARGS)
