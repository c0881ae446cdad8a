/*
 * libccrnn C++ wrapper (header-only, C++17) over the stable C API of ccrnn.h.
 *
 *  - RAII handles: ccrnn::cortex, ccrnn::cerebellum, ccrnn::optimizer own their C
 *    handle, are move-only, and free it in the destructor.  .get() gives the C handle
 *    for calls this header does not wrap.
 *  - Every non-OK status throws ccrnn::error, carrying the status (.status()) and the
 *    library's thread-local message (what() = "<ccrnn_strerror(status)>: <message>").  As in C,
 *    a call that throws has changed nothing.
 *  - Buffers are ccrnn::span<T> views (pointer + size, no ownership): std::span in
 *    C++20, else a small struct with the same shape, built implicitly from a
 *    std::vector, a std::array, a C array, or explicitly from (pointer, size).  An
 *    empty span passes (NULL, 0), which is how the C API spells "no buffer".
 *
 * Link as for C: c++ -std=c++17 prog.cpp $(pkg-config --cflags --libs libccrnn).
 * The wrapper adds no symbols to the library; its ABI is the C one.
 */
#ifndef CCRNN_HPP
#define CCRNN_HPP

#include <ccrnn/ccrnn.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#if __cplusplus >= 202002L && defined(__has_include)
#if __has_include(<span>)
#include <span>
#define CCRNN_HPP_STD_SPAN 1
#endif
#endif

namespace ccrnn {

/* ---- errors ------------------------------------------------------------------------ */
class error : public std::runtime_error {
public:
    error(int status, const std::string &message)
        : std::runtime_error(std::string(ccrnn_strerror(status)) + ": " + message),
          status_(status) {}
    /* The C status code (enum ccrnn_status). */
    int status() const noexcept { return status_; }

private:
    int status_;
};

/* Throw ccrnn::error for a non-OK status, with the library's message. */
inline void check(int status)
{
    if (status != CCRNN_OK)
        throw error(status, ccrnn_last_error());
}

inline std::string version() { return ccrnn_version_string(); }

/* ---- views ------------------------------------------------------------------------- */
#ifdef CCRNN_HPP_STD_SPAN
template <class T> using span = std::span<T>;
#else
template <class T> class span {
public:
    constexpr span() noexcept : data_(nullptr), size_(0) {}
    constexpr span(T *data, std::size_t size) noexcept : data_(data), size_(size) {}
    template <std::size_t N> constexpr span(T (&a)[N]) noexcept : data_(a), size_(N) {}
    template <class U, std::size_t N>
    constexpr span(std::array<U, N> &a) noexcept : data_(a.data()), size_(N) {}
    template <class U, std::size_t N>
    constexpr span(const std::array<U, N> &a) noexcept : data_(a.data()), size_(N) {}
    template <class U, class A>
    span(std::vector<U, A> &v) noexcept : data_(v.data()), size_(v.size()) {}
    template <class U, class A>
    span(const std::vector<U, A> &v) noexcept : data_(v.data()), size_(v.size()) {}
    /* span<float> -> span<const float> */
    template <class U>
    constexpr span(const span<U> &s) noexcept : data_(s.data()), size_(s.size()) {}

    constexpr T *data() const noexcept { return data_; }
    constexpr std::size_t size() const noexcept { return size_; }
    constexpr bool empty() const noexcept { return size_ == 0; }
    constexpr T *begin() const noexcept { return data_; }
    constexpr T *end() const noexcept { return data_ + size_; }
    constexpr T &operator[](std::size_t i) const noexcept { return data_[i]; }
    constexpr span subspan(std::size_t offset, std::size_t count) const noexcept
    {
        return span(data_ + offset, count);
    }

private:
    T *data_;
    std::size_t size_;
};
#endif

namespace detail {
template <class T> T *ptr(span<T> s) noexcept { return s.size() ? s.data() : nullptr; }

/* Move-only ownership of a C handle with its destroy function. */
template <class H, void (*Destroy)(H *)> class handle {
public:
    handle() noexcept = default;
    explicit handle(H *h) noexcept : h_(h) {}
    handle(const handle &) = delete;
    handle &operator=(const handle &) = delete;
    handle(handle &&o) noexcept : h_(std::exchange(o.h_, nullptr)) {}
    handle &operator=(handle &&o) noexcept
    {
        if (this != &o) {
            Destroy(h_);
            h_ = std::exchange(o.h_, nullptr);
        }
        return *this;
    }
    ~handle() { Destroy(h_); }
    H *get() const noexcept { return h_; }
    explicit operator bool() const noexcept { return h_ != nullptr; }

private:
    H *h_ = nullptr;
};

template <class Save, class H> std::vector<unsigned char> save_bytes(Save save, const H *h)
{
    std::size_t size = 0;
    check(save(h, nullptr, 0, &size));
    std::vector<unsigned char> buf(size);
    check(save(h, buf.data(), buf.size(), &size));
    buf.resize(size);
    return buf;
}
}  // namespace detail

/* One named parameter tensor (PyTorch's layout; cols 0 or 1 for a 1-D bias). */
struct tensor_info {
    std::string name;
    std::size_t rows, cols, offset;
    std::size_t size() const noexcept { return rows * (cols ? cols : 1); }
};

/* Flat parameter and gradient views (valid until the handle is destroyed). */
struct param_views {
    span<const float> values;
    span<float> grads;
};

/* ---- cortex ------------------------------------------------------------------------ */
enum class cell { lstm = CCRNN_CELL_LSTM, tanh = CCRNN_CELL_TANH, gru = CCRNN_CELL_GRU };

struct cortex_shape {
    cell kind;
    std::size_t n_in, n_hidden, n_out, state_size, max_batch, max_window;
};

class cortex {
public:
    cortex(cell kind, std::size_t n_in, std::size_t n_hidden, std::size_t n_out,
           std::size_t max_batch = 1, std::size_t max_window = 1, std::uint64_t seed = 0)
    {
        ccrnn_cortex *p = nullptr;
        check(ccrnn_cortex_create(static_cast<int>(kind), n_in, n_hidden, n_out, max_batch,
                                  max_window, seed, &p));
        h_ = handle_type(p);
    }
    /* Takes ownership of a C handle (e.g. from ccrnn_cortex_load). */
    explicit cortex(ccrnn_cortex *owned) noexcept : h_(owned) {}

    ccrnn_cortex *get() const noexcept { return h_.get(); }

    cortex clone() const
    {
        ccrnn_cortex *p = nullptr;
        check(ccrnn_cortex_clone(get(), &p));
        return cortex(p);
    }
    void set_param(int param, double value) { check(ccrnn_cortex_set_param(get(), param, value)); }
    double get_param(int param) const
    {
        double v = 0;
        check(ccrnn_cortex_get_param(get(), param, &v));
        return v;
    }
    cortex_shape shape() const
    {
        int c = 0;
        cortex_shape s{};
        check(ccrnn_cortex_shape(get(), &c, &s.n_in, &s.n_hidden, &s.n_out, &s.state_size,
                                 &s.max_batch, &s.max_window));
        s.kind = static_cast<cell>(c);
        return s;
    }

    void reset(std::size_t batch) { check(ccrnn_cortex_reset(get(), batch)); }
    void begin_window() { check(ccrnn_cortex_begin_window(get())); }
    /* One step: x is batch*n_in, y batch*n_out (or empty: no output). */
    void forward(span<const float> x, span<float> y = {})
    {
        check(ccrnn_cortex_forward(get(), detail::ptr(x), x.size(), detail::ptr(y), y.size()));
    }
    void output_grad(std::size_t step, span<const float> dy)
    {
        check(ccrnn_cortex_output_grad(get(), step, detail::ptr(dy), dy.size()));
    }
    void hidden_grad(std::size_t step, span<const float> dh)
    {
        check(ccrnn_cortex_hidden_grad(get(), step, detail::ptr(dh), dh.size()));
    }
    /* BPTT through the window; dz_end and dz_start may be empty. */
    void backward(span<const float> dz_end = {}, span<float> dz_start = {})
    {
        check(ccrnn_cortex_backward(get(), detail::ptr(dz_end), dz_end.size(),
                                    detail::ptr(dz_start), dz_start.size()));
    }
    void input_grad(span<float> dx) { check(ccrnn_cortex_input_grad(get(), detail::ptr(dx), dx.size())); }
    std::size_t window_length() const
    {
        std::size_t n = 0;
        check(ccrnn_cortex_window_length(get(), &n));
        return n;
    }
    std::size_t batch() const
    {
        std::size_t n = 0;
        check(ccrnn_cortex_batch(get(), &n));
        return n;
    }
    void get_state(span<float> z) const { check(ccrnn_cortex_get_state(get(), detail::ptr(z), z.size())); }
    void set_state(span<const float> z) { check(ccrnn_cortex_set_state(get(), detail::ptr(z), z.size())); }
    void window_start_state(span<float> z) const
    {
        check(ccrnn_cortex_window_start_state(get(), detail::ptr(z), z.size()));
    }
    void hidden(std::size_t step, span<float> h) const
    {
        check(ccrnn_cortex_hidden(get(), step, detail::ptr(h), h.size()));
    }

    param_views params()
    {
        const float *v = nullptr;
        float *g = nullptr;
        std::size_t n = 0;
        check(ccrnn_cortex_params(get(), &v, &g, &n));
        return {span<const float>(v, n), span<float>(g, n)};
    }
    /* Write all parameters at once (params().values.size() values). */
    void set_values(span<const float> values)
    {
        check(ccrnn_cortex_set_values(get(), detail::ptr(values), values.size()));
    }
    void zero_grad() { check(ccrnn_cortex_zero_grad(get())); }
    std::vector<tensor_info> tensors() const
    {
        std::size_t count = 0;
        check(ccrnn_cortex_tensor_count(get(), &count));
        std::vector<tensor_info> out;
        for (std::size_t i = 0; i < count; i++) {
            const char *name = nullptr;
            tensor_info t{};
            check(ccrnn_cortex_tensor_info(get(), i, &name, &t.rows, &t.cols, &t.offset));
            t.name = name;
            out.push_back(t);
        }
        return out;
    }
    void get_tensor(const std::string &name, span<float> buf) const
    {
        check(ccrnn_cortex_get_tensor(get(), name.c_str(), detail::ptr(buf), buf.size()));
    }
    void set_tensor(const std::string &name, span<const float> buf)
    {
        check(ccrnn_cortex_set_tensor(get(), name.c_str(), detail::ptr(buf), buf.size()));
    }

    void save(const std::string &path) const { check(ccrnn_cortex_save(get(), path.c_str())); }
    std::vector<unsigned char> save() const { return detail::save_bytes(&ccrnn_cortex_save_mem, get()); }
    static cortex load(const std::string &path)
    {
        ccrnn_cortex *p = nullptr;
        check(ccrnn_cortex_load(path.c_str(), &p));
        return cortex(p);
    }
    static cortex load(span<const unsigned char> bytes)
    {
        ccrnn_cortex *p = nullptr;
        check(ccrnn_cortex_load_mem(bytes.data(), bytes.size(), &p));
        return cortex(p);
    }

private:
    using handle_type = detail::handle<ccrnn_cortex, &ccrnn_cortex_destroy>;
    handle_type h_;
};

/* ---- cerebellum -------------------------------------------------------------------- */
struct cerebellum_shape {
    std::size_t n_in, n_ctx, n_out, n_hidden_layers, width, max_batch;
};

class cerebellum {
public:
    cerebellum(std::size_t n_in, std::size_t n_ctx, std::size_t n_out,
               std::size_t n_hidden_layers, std::size_t width, std::size_t max_batch = 1,
               std::uint64_t seed = 0, unsigned flags = CCRNN_CEREBELLUM_DEFAULT)
    {
        ccrnn_cerebellum *p = nullptr;
        check(ccrnn_cerebellum_create(n_in, n_ctx, n_out, n_hidden_layers, width, max_batch,
                                      seed, flags, &p));
        h_ = handle_type(p);
    }
    explicit cerebellum(ccrnn_cerebellum *owned) noexcept : h_(owned) {}

    ccrnn_cerebellum *get() const noexcept { return h_.get(); }

    cerebellum clone() const
    {
        ccrnn_cerebellum *p = nullptr;
        check(ccrnn_cerebellum_clone(get(), &p));
        return cerebellum(p);
    }
    void set_param(int param, double value) { check(ccrnn_cerebellum_set_param(get(), param, value)); }
    double get_param(int param) const
    {
        double v = 0;
        check(ccrnn_cerebellum_get_param(get(), param, &v));
        return v;
    }
    cerebellum_shape shape() const
    {
        cerebellum_shape s{};
        check(ccrnn_cerebellum_shape(get(), &s.n_in, &s.n_ctx, &s.n_out, &s.n_hidden_layers,
                                     &s.width, &s.max_batch));
        return s;
    }
    void set_fibres(std::size_t n_fibres, std::uint64_t seed = 0)
    {
        check(ccrnn_cerebellum_set_fibres(get(), n_fibres, seed));
    }
    void predict(std::size_t batch, span<const float> in, span<const float> ctx, span<float> out)
    {
        check(ccrnn_cerebellum_predict(get(), batch, detail::ptr(in), in.size(), detail::ptr(ctx),
                                       ctx.size(), detail::ptr(out), out.size()));
    }
    /* Regress toward target; returns the loss.  Gradients accumulate. */
    double learn(std::size_t batch, span<const float> in, span<const float> ctx,
                 span<const float> target)
    {
        double loss = 0;
        check(ccrnn_cerebellum_learn(get(), batch, detail::ptr(in), in.size(), detail::ptr(ctx),
                                     ctx.size(), detail::ptr(target), target.size(), &loss));
        return loss;
    }
    void hidden(std::size_t layer, span<float> h) const
    {
        check(ccrnn_cerebellum_hidden(get(), layer, detail::ptr(h), h.size()));
    }

    param_views params()
    {
        const float *v = nullptr;
        float *g = nullptr;
        std::size_t n = 0;
        check(ccrnn_cerebellum_params(get(), &v, &g, &n));
        return {span<const float>(v, n), span<float>(g, n)};
    }
    /* Write all parameters at once (params().values.size() values). */
    void set_values(span<const float> values)
    {
        check(ccrnn_cerebellum_set_values(get(), detail::ptr(values), values.size()));
    }
    void zero_grad() { check(ccrnn_cerebellum_zero_grad(get())); }
    std::vector<tensor_info> tensors() const
    {
        std::size_t count = 0;
        check(ccrnn_cerebellum_tensor_count(get(), &count));
        std::vector<tensor_info> out;
        for (std::size_t i = 0; i < count; i++) {
            const char *name = nullptr;
            tensor_info t{};
            check(ccrnn_cerebellum_tensor_info(get(), i, &name, &t.rows, &t.cols, &t.offset));
            t.name = name;
            out.push_back(t);
        }
        return out;
    }
    void get_tensor(const std::string &name, span<float> buf) const
    {
        check(ccrnn_cerebellum_get_tensor(get(), name.c_str(), detail::ptr(buf), buf.size()));
    }
    void set_tensor(const std::string &name, span<const float> buf)
    {
        check(ccrnn_cerebellum_set_tensor(get(), name.c_str(), detail::ptr(buf), buf.size()));
    }

    void save(const std::string &path) const { check(ccrnn_cerebellum_save(get(), path.c_str())); }
    std::vector<unsigned char> save() const
    {
        return detail::save_bytes(&ccrnn_cerebellum_save_mem, get());
    }
    static cerebellum load(const std::string &path)
    {
        ccrnn_cerebellum *p = nullptr;
        check(ccrnn_cerebellum_load(path.c_str(), &p));
        return cerebellum(p);
    }
    static cerebellum load(span<const unsigned char> bytes)
    {
        ccrnn_cerebellum *p = nullptr;
        check(ccrnn_cerebellum_load_mem(bytes.data(), bytes.size(), &p));
        return cerebellum(p);
    }

private:
    using handle_type = detail::handle<ccrnn_cerebellum, &ccrnn_cerebellum_destroy>;
    handle_type h_;
};

/* ---- synthetic-gradient glue ------------------------------------------------------- */
/* dz = scale * C(z_now), batch*state_size values: pass it to cortex::backward. */
inline void synthetic_gradient(cerebellum &cb, const cortex &cx, span<const float> ctx,
                               double scale, span<float> dz)
{
    check(ccrnn_synthetic_gradient(cb.get(), cx.get(), detail::ptr(ctx), ctx.size(), scale,
                                   detail::ptr(dz), dz.size()));
}
/* Teach the cerebellum the window-start gradient; returns its loss. */
inline double synthetic_gradient_learn(cerebellum &cb, const cortex &cx, span<const float> ctx,
                                       span<const float> dz_start)
{
    double loss = 0;
    check(ccrnn_synthetic_gradient_learn(cb.get(), cx.get(), detail::ptr(ctx), ctx.size(),
                                         detail::ptr(dz_start), dz_start.size(), &loss));
    return loss;
}

/* The whole window end in one call (ccrnn_window_end): inject scale * C(z_end),
 * backpropagate the window, teach the cerebellum with the window-start gradient.
 * cb may be null (a cRNN); flags: CCRNN_WINDOW_*; dz_start (optional) receives the
 * window-start gradient.  Returns the cerebellum's loss (0 when it did not learn). */
inline double window_end(cortex &cx, cerebellum *cb, span<const float> ctx, double scale,
                         unsigned flags = CCRNN_WINDOW_DEFAULT, span<float> dz_start = {})
{
    double loss = 0;
    check(ccrnn_window_end(cx.get(), cb ? cb->get() : nullptr, detail::ptr(ctx), ctx.size(),
                           scale, flags, detail::ptr(dz_start), dz_start.size(), &loss));
    return loss;
}

/* ---- optimizer --------------------------------------------------------------------- */
enum class optimizer_kind { adam = CCRNN_OPT_ADAM, sgd = CCRNN_OPT_SGD, rmsprop = CCRNN_OPT_RMSPROP };

class optimizer {
public:
    explicit optimizer(optimizer_kind kind = optimizer_kind::adam)
    {
        ccrnn_optimizer *p = nullptr;
        check(ccrnn_optimizer_create(static_cast<int>(kind), &p));
        h_ = handle_type(p);
    }
    ccrnn_optimizer *get() const noexcept { return h_.get(); }

    void set_param(int param, double value) { check(ccrnn_optimizer_set_param(get(), param, value)); }
    double get_param(int param) const
    {
        double v = 0;
        check(ccrnn_optimizer_get_param(get(), param, &v));
        return v;
    }
    /* Attach parameters as a new group (the object must outlive the optimizer);
     * returns the group's index. */
    std::size_t add(cortex &cx)
    {
        std::size_t g = 0;
        check(ccrnn_optimizer_add_cortex(get(), cx.get(), &g));
        return g;
    }
    std::size_t add(cerebellum &cb)
    {
        std::size_t g = 0;
        check(ccrnn_optimizer_add_cerebellum(get(), cb.get(), &g));
        return g;
    }
    std::size_t add(span<float> values, span<float> grads)
    {
        if (values.size() != grads.size())
            throw error(CCRNN_ERR_SHAPE, "values and grads differ in length");
        std::size_t g = 0;
        check(ccrnn_optimizer_add_params(get(), detail::ptr(values), detail::ptr(grads),
                                         values.size(), &g));
        return g;
    }
    void set_group_param(std::size_t group, int param, double value)
    {
        check(ccrnn_optimizer_set_group_param(get(), group, param, value));
    }
    double get_group_param(std::size_t group, int param) const
    {
        double v = 0;
        check(ccrnn_optimizer_get_group_param(get(), group, param, &v));
        return v;
    }
    void step() { check(ccrnn_optimizer_step(get())); }
    void zero_grad() { check(ccrnn_optimizer_zero_grad(get())); }
    void save(const std::string &path) const { check(ccrnn_optimizer_save(get(), path.c_str())); }
    void load(const std::string &path) { check(ccrnn_optimizer_load(get(), path.c_str())); }

private:
    using handle_type = detail::handle<ccrnn_optimizer, &ccrnn_optimizer_destroy>;
    handle_type h_;
};

/* ---- losses ------------------------------------------------------------------------ */
/* Squared error over y (batch*dim); dy may be empty; denom 0: unmasked rows * dim. */
inline double mse(span<const float> y, span<const float> target, std::size_t dim,
                  span<float> dy = {}, double denom = 0, span<const float> mask = {})
{
    double loss = 0;
    check(ccrnn_loss_mse(detail::ptr(y), detail::ptr(target), y.size(), dim, detail::ptr(mask),
                         mask.size(), denom, detail::ptr(dy), &loss));
    return loss;
}
/* Softmax cross-entropy; returns the loss, *n_correct (optional) the correct rows. */
inline double softmax_xent(span<const float> logits, std::size_t classes,
                           span<const std::int32_t> labels, span<float> dy = {},
                           double denom = 0, std::size_t *n_correct = nullptr)
{
    double loss = 0;
    check(ccrnn_loss_softmax_xent(detail::ptr(logits), logits.size(), classes,
                                  detail::ptr(labels), labels.size(), denom, detail::ptr(dy),
                                  &loss, n_correct));
    return loss;
}

}  // namespace ccrnn

#endif /* CCRNN_HPP */
