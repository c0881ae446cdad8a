// The README's training loop (examples/quickstart/quickstart.c) through the C++
// wrapper <ccrnn/ccrnn.hpp>: RAII handles, exceptions, std::vector buffers.
//
//   c++ -std=c++17 quickstart.cpp $(pkg-config --cflags --libs libccrnn) -o quickstart
//
// Trains a small ccRNN to draw one of four lines from a cue shown at step 0, prints
// the loss every 50 batches, and exits 1 unless the loss fell to a tenth.
#include <ccrnn/ccrnn.hpp>

#include <cstdio>
#include <vector>

int main()
{
    const std::size_t B = 8, L = 10, TAU = 2, H = 16;  // batch, steps, window, units
    try {
        ccrnn::cortex cx(ccrnn::cell::lstm, 1, H, 2, B, TAU, /*seed*/ 1);
        ccrnn::cerebellum cb(2 * H, 0, 2 * H, 1, 64, B, /*seed*/ 2);
        ccrnn::optimizer opt(ccrnn::optimizer_kind::adam);
        opt.set_param(CCRNN_PARAM_CLIP_NORM, 1.0);
        opt.add(cx);
        opt.add(cb);

        std::vector<float> x(B), y(B * 2), target(B * 2), dy(B * 2);
        std::vector<float> dz_end(B * 2 * H), dz_start(B * 2 * H);
        double first = 0, loss = 0;
        for (int batch = 0; batch < 300; batch++) {
            cx.reset(B);
            loss = 0;
            for (std::size_t t0 = 0; t0 < L; t0 += TAU) {
                cx.begin_window();  // detach: truncated BPTT
                for (std::size_t t = t0; t < t0 + TAU; t++) {
                    for (std::size_t b = 0; b < B; b++) {
                        float cue = static_cast<float>(b % 4) - 1.5f;
                        x[b] = t == 0 ? cue : 0.0f;
                        target[2 * b] = cue * static_cast<float>(t) / (L - 1);
                        target[2 * b + 1] = static_cast<float>(t) / (L - 1);
                    }
                    cx.forward(x, y);
                    loss += ccrnn::mse(y, target, 2, dy, B * 2 * TAU);
                    cx.output_grad(t - t0, dy);
                }
                ccrnn::synthetic_gradient(cb, cx, {}, 0.1, dz_end);  // predicted future
                cx.backward(dz_end, dz_start);                      // BPTT + injection
                ccrnn::synthetic_gradient_learn(cb, cx, {}, dz_start);
            }
            opt.step();  // clip, Adam, zero the gradients
            if (batch == 0)
                first = loss;
            if (batch % 50 == 0 || batch == 299)
                std::printf("batch %3d  loss %.4f\n", batch, loss);
        }
        // A wrong length is an exception carrying the status and the library's message.
        try {
            cx.forward(std::vector<float>(B + 1), y);
            return 1;
        } catch (const ccrnn::error &e) {
            std::printf("caught as expected: %s (status %d)\n", e.what(), e.status());
        }
        return loss < first / 10 ? 0 : 1;
    } catch (const ccrnn::error &e) {
        std::fprintf(stderr, "ccrnn: %s\n", e.what());
        return 1;
    }
}
