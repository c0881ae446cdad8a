// A C++11 program using an installed libccrnn: RAII handles, exceptions for statuses,
// std::vector buffers.  Trains a tanh cortex with a cerebellum to hold a cue and exits
// nonzero if the loss does not fall or an error is not reported as an exception.
#include <ccrnn/ccrnn.h>

#include <cstdio>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

struct ccrnn_error : std::runtime_error {
    int status;
    ccrnn_error(int s, const std::string &msg) : std::runtime_error(msg), status(s) {}
};

void check(int status)
{
    if (status != CCRNN_OK)
        throw ccrnn_error(status, std::string(ccrnn_strerror(status)) + ": " + ccrnn_last_error());
}

using cortex_ptr = std::unique_ptr<ccrnn_cortex, decltype(&ccrnn_cortex_destroy)>;
using cerebellum_ptr = std::unique_ptr<ccrnn_cerebellum, decltype(&ccrnn_cerebellum_destroy)>;
using optimizer_ptr = std::unique_ptr<ccrnn_optimizer, decltype(&ccrnn_optimizer_destroy)>;

cortex_ptr make_cortex(int cell, size_t in, size_t hidden, size_t out, size_t batch, size_t window)
{
    ccrnn_cortex *p = nullptr;
    check(ccrnn_cortex_create(cell, in, hidden, out, batch, window, 3, &p));
    return cortex_ptr(p, ccrnn_cortex_destroy);
}

cerebellum_ptr make_cerebellum(size_t n, size_t width, size_t batch)
{
    ccrnn_cerebellum *p = nullptr;
    check(ccrnn_cerebellum_create(n, 0, n, 1, width, batch, 4, CCRNN_CEREBELLUM_DEFAULT, &p));
    return cerebellum_ptr(p, ccrnn_cerebellum_destroy);
}

optimizer_ptr make_optimizer(double lr)
{
    ccrnn_optimizer *p = nullptr;
    check(ccrnn_optimizer_create(CCRNN_OPT_ADAM, &p));
    optimizer_ptr opt(p, ccrnn_optimizer_destroy);
    check(ccrnn_optimizer_set_param(opt.get(), CCRNN_PARAM_LR, lr));
    return opt;
}

}  // namespace

int main()
{
    const size_t B = 4, H = 16, T = 4, tau = 2;
    try {
        cortex_ptr cx = make_cortex(CCRNN_CELL_TANH, 1, H, 1, B, tau);
        cerebellum_ptr cb = make_cerebellum(H, 64, B);
        optimizer_ptr opt = make_optimizer(1e-2);
        check(ccrnn_optimizer_add_cortex(opt.get(), cx.get(), nullptr));
        check(ccrnn_optimizer_add_cerebellum(opt.get(), cb.get(), nullptr));

        const std::vector<float> cue = {-1.0f, -0.5f, 0.5f, 1.0f};
        std::vector<float> x(B), y(B), dy(B), dz_end(B * H), dz_start(B * H);
        double first = 0, last = 0;
        for (int it = 0; it < 150; it++) {
            double total = 0;
            check(ccrnn_cortex_reset(cx.get(), B));
            for (size_t k = 0; k < T / tau; k++) {
                check(ccrnn_cortex_begin_window(cx.get()));
                for (size_t s = 0; s < tau; s++) {
                    for (size_t b = 0; b < B; b++) x[b] = (k == 0 && s == 0) ? cue[b] : 0.0f;
                    check(ccrnn_cortex_forward(cx.get(), x.data(), x.size(), y.data(), y.size()));
                    double loss = 0;
                    check(ccrnn_loss_mse(y.data(), cue.data(), B, 1, nullptr, 0, 0.0, dy.data(),
                                         &loss));
                    check(ccrnn_cortex_output_grad(cx.get(), s, dy.data(), dy.size()));
                    total += loss;
                }
                check(ccrnn_synthetic_gradient(cb.get(), cx.get(), nullptr, 0, 0.1,
                                               dz_end.data(), dz_end.size()));
                check(ccrnn_cortex_backward(cx.get(), dz_end.data(), dz_end.size(),
                                            dz_start.data(), dz_start.size()));
                check(ccrnn_synthetic_gradient_learn(cb.get(), cx.get(), nullptr, 0,
                                                     dz_start.data(), dz_start.size(), nullptr));
            }
            check(ccrnn_optimizer_step(opt.get()));
            last = total / T;
            if (it == 0) first = last;
        }
        bool reported = false;
        try {
            check(ccrnn_cortex_backward(cx.get(), nullptr, 0, nullptr, 0));
        } catch (const ccrnn_error &e) {
            reported = e.status == CCRNN_ERR_STATE;
        }
        if (!reported) {
            std::fprintf(stderr, "a second backward was not reported as CCRNN_ERR_STATE\n");
            return 1;
        }
        std::printf("C++ consumer: libccrnn %s, loss %.4f -> %.4f\n", ccrnn_version_string(),
                    first, last);
        if (!(last < 0.5 * first)) {
            std::fprintf(stderr, "the loss did not fall by half\n");
            return 1;
        }
    } catch (const std::exception &e) {
        std::fprintf(stderr, "error: %s\n", e.what());
        return 1;
    }
    return 0;
}
