// The C++ wrapper <ccrnn/ccrnn.hpp>: move-only handles that free exactly once,
// exceptions that carry the status and the library's message and change nothing,
// views from vectors/arrays, and checkpoints through memory.  Exit 0 = pass.
#include <ccrnn/ccrnn.hpp>

#include <array>
#include <cstdio>
#include <cstring>
#include <type_traits>
#include <utility>
#include <vector>

static_assert(!std::is_copy_constructible<ccrnn::cortex>::value, "cortex is move-only");
static_assert(!std::is_copy_assignable<ccrnn::cerebellum>::value, "cerebellum is move-only");
static_assert(std::is_nothrow_move_constructible<ccrnn::cortex>::value, "noexcept move");
static_assert(std::is_nothrow_move_assignable<ccrnn::optimizer>::value, "noexcept move");
static_assert(std::is_base_of<std::runtime_error, ccrnn::error>::value, "an exception");

static int failures = 0;
#define EXPECT(cond)                                                          \
    do {                                                                      \
        if (!(cond)) {                                                        \
            std::fprintf(stderr, "%s:%d: FAILED %s\n", __FILE__, __LINE__, #cond); \
            failures++;                                                       \
        }                                                                     \
    } while (0)

int main()
{
    try {
        ccrnn::cortex a(ccrnn::cell::gru, 2, 4, 3, 2, 2, 7);
        ccrnn_cortex *raw = a.get();
        ccrnn::cortex b(std::move(a));  // the handle moves, nothing is freed
        EXPECT(b.get() == raw && a.get() == nullptr);
        a = std::move(b);
        EXPECT(a.get() == raw && b.get() == nullptr);

        ccrnn::cortex_shape s = a.shape();
        EXPECT(s.kind == ccrnn::cell::gru && s.n_hidden == 4 && s.state_size == 4);
        ccrnn::param_views p = a.params();
        std::size_t total = 0;
        for (const ccrnn::tensor_info &t : a.tensors())
            total += t.size();
        EXPECT(p.values.size() == total && p.grads.size() == total);

        // a wrong length throws SHAPE with the library's message and changes nothing
        std::vector<float> before(p.values.begin(), p.values.end());
        std::array<float, 3> x{{1, 2, 3}};  // batch 2 * n_in 2 = 4 expected
        std::vector<float> y(6);
        a.reset(2);
        bool thrown = false;
        try {
            a.forward(x, y);
        } catch (const ccrnn::error &e) {
            thrown = e.status() == CCRNN_ERR_SHAPE && std::strstr(e.what(), "ccrnn_cortex_forward");
        }
        EXPECT(thrown);
        EXPECT(std::vector<float>(p.values.begin(), p.values.end()) == before);
        EXPECT(a.window_length() == 0);

        // checkpoint through memory: the copy equals the original
        std::vector<unsigned char> bytes = a.save();
        ccrnn::cortex c = ccrnn::cortex::load(bytes);
        ccrnn::param_views q = c.params();
        EXPECT(q.values.size() == p.values.size() &&
               std::equal(q.values.begin(), q.values.end(), p.values.begin()));

        // the cerebellum and the optimizer through the same wrapper
        ccrnn::cerebellum cb(4, 0, 4, 1, 8, 2, 3);
        ccrnn::optimizer opt(ccrnn::optimizer_kind::sgd);
        opt.set_param(CCRNN_PARAM_LR, 0.1);
        EXPECT(opt.add(a) == 0 && opt.add(cb) == 1);
        std::vector<float> xs(4, 0.5f), dz(8), dz0(8);
        a.begin_window();
        a.forward(xs, y);
        a.output_grad(0, std::vector<float>(6, 1.0f));
        ccrnn::synthetic_gradient(cb, a, {}, 0.1, dz);
        a.backward(dz, dz0);
        double loss = ccrnn::synthetic_gradient_learn(cb, a, {}, dz0);
        EXPECT(loss >= 0);
        opt.step();
        EXPECT(opt.get_param(CCRNN_PARAM_STEPS) == 1);
        EXPECT(!std::equal(p.values.begin(), p.values.end(), before.begin()));  // it learned

        // set_values writes every parameter; window_end is the whole window end
        std::vector<float> ones(p.values.size(), 0.01f);
        a.set_values(ones);
        EXPECT(p.values[0] == 0.01f && p.values[p.values.size() - 1] == 0.01f);
        a.begin_window();
        a.forward(xs, y);
        a.output_grad(0, std::vector<float>(6, 1.0f));
        std::vector<float> dz1(8);
        double cb_loss = ccrnn::window_end(a, &cb, {}, 0.1, CCRNN_WINDOW_DEFAULT, dz1);
        EXPECT(cb_loss >= 0 && dz1[0] != 0.0f);

        bool load_failed = false;
        try {
            ccrnn::cerebellum::load(std::string("/nonexistent/dir/cb.ckpt"));
        } catch (const ccrnn::error &e) {
            load_failed = e.status() == CCRNN_ERR_IO;
        }
        EXPECT(load_failed);
    } catch (const ccrnn::error &e) {
        std::fprintf(stderr, "unexpected ccrnn::error: %s\n", e.what());
        return 1;
    }
    if (!failures)
        std::printf("PASS: ccrnn.hpp (libccrnn %s)\n", ccrnn::version().c_str());
    return failures ? 1 : 0;
}
