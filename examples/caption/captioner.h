/* The caption decoder: an LSTM cortex (cRNN) or cortex plus cerebellum (ccRNN) that
 * generates a caption word by word from an image's feature vector.
 *
 * Step 0 reads the image: its frozen features through a trained linear projection to
 * the embedding size.  Step t >= 1 reads the embedded word t-1 of <start> w1 .. wn,
 * and step t is trained to predict word t of <start> w1 .. wn <end> (the first target,
 * <start>, is predicted from the image, as in the reference).  A caption of n words is
 * a sequence of L = n + 2 steps, cut into truncation windows of tau steps; only the
 * first window sees the image.  The state is carried across windows and detached at
 * each window start.
 *
 * The word embedding and the projection belong to this program, not to the library:
 * their gradients come from the cortex's input gradients (ccrnn_cortex_input_grad)
 * and they are attached to the same optimizer as the cortex and the cerebellum
 * (ccrnn_optimizer_add_params). */
#ifndef CAP_CAPTIONER_H
#define CAP_CAPTIONER_H

#include <stddef.h>
#include <stdint.h>

#include <ccrnn/ccrnn.h>

typedef struct cap_config {
    size_t embed, hidden;      /* E (word and image embedding), H (LSTM units) */
    size_t vocab, feat_dim;    /* V, F */
    size_t batch, max_len;     /* largest batch; longest sequence L */
    size_t tau;                /* truncation window in steps (>= L: full BPTT) */
    int cerebellum;            /* 0: cRNN; 1: ccRNN */
    size_t cb_layers, cb_width;
    double lr, beta1, beta2, eps, clip;
    double sg_scale;           /* synthetic gradient injected at a window end: scale * C(z) */
    int step_per_window;       /* 1: an optimizer step after every window (reference) */
    int zero_last_weight_only; /* 1: zero only the cerebellum's last weight (reference) */
    int sg_last_window;        /* 1: inject at the sequence end too (the reference's quirk) */
    int cb_loss_mean;          /* cerebellar loss divided by the batch (0: summed) */
    int threads;
    uint64_t seed;
} cap_config;

/* The reference's captioning settings at the given sizes: Adam lr 1e-3 with PyTorch's
 * default betas (0.9, 0.999) and eps 1e-8, no clipping, a step after every window,
 * tau 5, cerebellum of two hidden layers with only its last weight zeroed, synthetic
 * gradient scale 0.1, no injection at the sequence end, summed cerebellar loss. */
void cap_config_defaults(cap_config *cfg);

typedef struct cap_model {
    cap_config cfg;
    ccrnn_cortex *cx;
    ccrnn_cerebellum *cb;          /* NULL for the cRNN */
    ccrnn_optimizer *opt;
    /* Host-owned parameters, one array: embedding V x E, projection E x F, bias E. */
    size_t n_params;
    float *params, *grads;
    float *emb, *proj_w, *proj_b;
    float *g_emb, *g_proj_w, *g_proj_b;
    /* work buffers */
    size_t Z;                      /* cortex state size (2H) */
    float *x, *logits, *dy, *dx;
    int32_t *labels;
} cap_model;

/* Statistics of a batch: summed cross-entropy (nats) over its tokens and their count;
 * the summed cerebellar regression loss. */
typedef struct cap_batch_stats {
    double xent, tokens, cb_loss;
} cap_batch_stats;

int cap_model_create(const cap_config *cfg, cap_model **out);
void cap_model_destroy(cap_model *m);

/* The input of step t for B sequences: t = 0 projects feats (B x F), t >= 1 embeds
 * tokens[b*stride + t-1].  x: B x E. */
void cap_model_input(const cap_model *m, size_t t, const float *feats, const int32_t *tokens,
                     size_t stride, size_t B, float *x);

/* Train on B captions of one length L: tokens[b*stride + t] is token t (<start> ..
 * <end>), feats[b*F ..] the image's features.  Each window's loss is the mean
 * cross-entropy over its B x T tokens.  update 0 leaves the gradients accumulated in
 * the objects and in m->grads without stepping (for gradient checks).  st may be NULL. */
int cap_model_train_batch(cap_model *m, const float *feats, const int32_t *tokens,
                          size_t stride, size_t B, size_t L, int update, cap_batch_stats *st);

/* Cross-entropy of B captions of length L from the zero state, whole sequences, no
 * learning: *xent receives the sum over all B x L tokens (nats). */
int cap_model_xent(cap_model *m, const float *feats, const int32_t *tokens, size_t stride,
                   size_t B, size_t L, double *xent);

/* Greedy decoding of B images: out[b*max_steps + t] (max_steps ids; after <end> the
 * rest is <pad>), len[b] = words before <end> (or max_steps if none). */
int cap_model_greedy(cap_model *m, const float *feats, size_t B, size_t max_steps,
                     int32_t *out, size_t *len);

#endif
