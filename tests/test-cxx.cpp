// The public header from C++: it must compile under -Wall -Wextra -pedantic -Werror
// (extern "C" linkage, no C-only constructs), and calls must link and behave.
#include <ccrnn/ccrnn.h>

#include <cstdio>
#include <cstring>
#include <vector>

namespace {

int failures = 0;

void expect(bool ok, const char *what)
{
    if (!ok) {
        std::printf("FAIL: %s (last error: %s)\n", what, ccrnn_last_error());
        failures++;
    }
}

} // namespace

int main()
{
    expect(ccrnn_version_number() == CCRNN_VERSION_NUMBER, "version number");
    expect(std::strcmp(ccrnn_version_string(), CCRNN_VERSION_STRING) == 0, "version string");
    expect(ccrnn_strerror(CCRNN_ERR_SHAPE) != nullptr, "strerror");

    ccrnn_cortex *cx = nullptr;
    expect(ccrnn_cortex_create(CCRNN_CELL_LSTM, 2, 4, 1, 3, 2, 42, &cx) == CCRNN_OK, "cortex_create");
    size_t Z = 0;
    expect(ccrnn_cortex_shape(cx, nullptr, nullptr, nullptr, nullptr, &Z, nullptr, nullptr) == CCRNN_OK &&
               Z == 8, "cortex_shape");
    ccrnn_cerebellum *cb = nullptr;
    expect(ccrnn_cerebellum_create(Z, 0, Z, 1, 16, 3, 7, CCRNN_CEREBELLUM_DEFAULT, &cb) == CCRNN_OK,
           "cerebellum_create");
    ccrnn_optimizer *opt = nullptr;
    expect(ccrnn_optimizer_create(CCRNN_OPT_ADAM, &opt) == CCRNN_OK, "optimizer_create");
    expect(ccrnn_optimizer_add_cortex(opt, cx, nullptr) == CCRNN_OK, "add_cortex");
    expect(ccrnn_optimizer_add_cerebellum(opt, cb, nullptr) == CCRNN_OK, "add_cerebellum");

    // One ccRNN window of two steps.
    const size_t B = 3;
    std::vector<float> x(B * 2, 0.5f), y(B), target(B, 1.0f), dy(B), dz(B * Z), dz_start(B * Z);
    expect(ccrnn_cortex_reset(cx, B) == CCRNN_OK, "reset");
    expect(ccrnn_cortex_begin_window(cx) == CCRNN_OK, "begin_window");
    for (size_t t = 0; t < 2; t++) {
        double loss = 0;
        expect(ccrnn_cortex_forward(cx, x.data(), x.size(), y.data(), y.size()) == CCRNN_OK, "forward");
        expect(ccrnn_loss_mse(y.data(), target.data(), B, 1, nullptr, 0, 0.0, dy.data(), &loss) == CCRNN_OK,
               "loss_mse");
        expect(ccrnn_cortex_output_grad(cx, t, dy.data(), dy.size()) == CCRNN_OK, "output_grad");
    }
    expect(ccrnn_synthetic_gradient(cb, cx, nullptr, 0, 0.1, dz.data(), dz.size()) == CCRNN_OK, "synthetic");
    expect(ccrnn_cortex_backward(cx, dz.data(), dz.size(), dz_start.data(), dz_start.size()) == CCRNN_OK,
           "backward");
    expect(ccrnn_synthetic_gradient_learn(cb, cx, nullptr, 0, dz_start.data(), dz_start.size(), nullptr) ==
               CCRNN_OK, "synthetic_learn");
    expect(ccrnn_optimizer_set_param(opt, CCRNN_PARAM_CLIP_NORM, 1.0) == CCRNN_OK, "set_param");
    expect(ccrnn_optimizer_step(opt) == CCRNN_OK, "step");

    // Errors come back as codes from C++ too.
    expect(ccrnn_cortex_backward(cx, nullptr, 0, nullptr, 0) == CCRNN_ERR_STATE, "second backward");
    expect(ccrnn_cortex_forward(nullptr, x.data(), x.size(), nullptr, 0) == CCRNN_ERR_NULL, "NULL handle");

    ccrnn_optimizer_destroy(opt);
    ccrnn_cerebellum_destroy(cb);
    ccrnn_cortex_destroy(cx);
    std::printf("%d passed, %d failed\n", failures ? 0 : 1, failures ? 1 : 0);
    return failures;
}
