#include "task.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rng.h"
#include "targets.h"

static int fail(char *err, size_t cap, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, cap, fmt, ap);
    va_end(ap);
    return -1;
}

const char *seqmnist_kind_name(int kind)
{
    static const char *const names[] = {"line", "digit", "class"};
    return kind >= 0 && kind <= SEQMNIST_CLASS ? names[kind] : "?";
}

static void shuffle(size_t *v, size_t n, uint64_t seed)
{
    ex_rng r;
    ex_rng_seed(&r, seed);
    for (size_t i = n; i > 1; i--) {
        size_t j = (size_t)ex_rng_int(&r, 0, (long)i - 1), tmp = v[i - 1];
        v[i - 1] = v[j];
        v[j] = tmp;
    }
}

static size_t cap_count(size_t n, size_t max) { return max && max < n ? max : n; }

/* A fixed random split of the training file, as torch's random_split(N - V, V) does
 * with V = floor(N * val_frac): the first V of a seeded permutation validate. */
static int split_train(seqmnist_task *t, const seqmnist_task_options *o, char *err, size_t cap)
{
    size_t n = t->train_file.count, n_val = (size_t)floor((double)n * o->val_frac);
    if (n_val == 0 || n_val >= n)
        return fail(err, cap, "--val-frac %g leaves no training or no validation images of %zu",
                    o->val_frac, n);
    size_t *perm = malloc(n * sizeof *perm);
    t->train_idx = malloc(n * sizeof *t->train_idx);
    t->valid_idx = malloc(n_val * sizeof *t->valid_idx);
    t->order = malloc(n * sizeof *t->order);
    if (!perm || !t->train_idx || !t->valid_idx || !t->order) {
        free(perm);
        return fail(err, cap, "out of memory");
    }
    for (size_t i = 0; i < n; i++) perm[i] = i;
    shuffle(perm, n, ex_hash(o->split_seed, 0x5E1A7u));
    memcpy(t->valid_idx, perm, n_val * sizeof *perm);
    memcpy(t->train_idx, perm + n_val, (n - n_val) * sizeof *perm);
    free(perm);
    t->n_valid = cap_count(n_val, o->max_valid);
    t->n_train = cap_count(n - n_val, o->max_train);
    return 0;
}

static void build_targets(seqmnist_task *t, const seqmnist_task_options *o)
{
    double ends[20];
    for (int d = 0; d < 10; d++) {
        if (t->kind == SEQMNIST_DIGIT) {
            seqmnist_digit_template(d, SEQMNIST_STEPS, t->targets[d]);
            continue;
        }
        if (d == 0) {
            if (o->grid_endpoints) seqmnist_line_endpoints_grid(ex_hash(o->split_seed, 0x96u), ends);
            else seqmnist_line_endpoints_circle(ends);
        }
        seqmnist_line_path(ends + 2 * d, SEQMNIST_STEPS, t->targets[d]);
    }
}

static void describe(seqmnist_task *t, const seqmnist_task_options *o)
{
    ex_task *k = &t->task;
    memset(k, 0, sizeof *k);
    k->name = seqmnist_kind_name(t->kind);
    k->n_in = SEQMNIST_INPUTS;
    k->length = SEQMNIST_STEPS;
    if (t->kind == SEQMNIST_CLASS) {
        k->n_out = 10;
        k->loss = EX_LOSS_XENT;
        k->last_only = 1;
    } else {
        k->n_out = 2;
        k->loss = EX_LOSS_MSE;
        k->sparse = o->sparse ? o->sparse : 1;
    }
    k->n_samples[EX_TRAIN] = t->n_train;
    k->n_samples[EX_VALID] = t->n_valid;
    k->n_samples[EX_TEST] = t->n_test;
    k->fill = seqmnist_task_fill;
    k->ctx = t;
}

int seqmnist_task_init(seqmnist_task *t, const seqmnist_task_options *o, char *err,
                       size_t err_cap)
{
    memset(t, 0, sizeof *t);
    t->kind = o->kind;
    t->order_epoch = (size_t)-1;
    if (o->kind < SEQMNIST_LINE || o->kind > SEQMNIST_CLASS)
        return fail(err, err_cap, "unknown task %d", o->kind);
    if (seqmnist_set_load(o->data_dir, "train", &t->train_file, err, err_cap) ||
        seqmnist_set_load(o->data_dir, "t10k", &t->test_file, err, err_cap)) {
        seqmnist_task_free(t);
        return -1;
    }
    t->n_test = cap_count(t->test_file.count, o->max_test);
    if (split_train(t, o, err, err_cap)) {
        seqmnist_task_free(t);
        return -1;
    }
    build_targets(t, o);
    describe(t, o);
    return 0;
}

void seqmnist_task_free(seqmnist_task *t)
{
    seqmnist_set_free(&t->train_file);
    seqmnist_set_free(&t->test_file);
    free(t->train_idx);
    free(t->valid_idx);
    free(t->order);
    t->train_idx = t->valid_idx = t->order = NULL;
}

void seqmnist_task_set_seed(seqmnist_task *t, uint64_t seed)
{
    t->shuffle_seed = seed;
    t->order_epoch = (size_t)-1;
}

/* Sample i of a split; training samples in the shuffled order when `shuffled`. */
static const unsigned char *image_of(const seqmnist_task *t, int split, size_t i, int shuffled,
                                     int *label)
{
    const seqmnist_set *s = split == EX_TEST ? &t->test_file : &t->train_file;
    size_t k = i;
    if (split == EX_VALID) k = t->valid_idx[i];
    else if (split == EX_TRAIN) k = shuffled ? t->order[i] : t->train_idx[i];
    if (label) *label = s->labels[k];
    return s->pixels + k * SEQMNIST_IDX_PIXELS;
}

const unsigned char *seqmnist_task_image(const seqmnist_task *t, int split, size_t i,
                                         int *label)
{
    return image_of(t, split, i, 0, label);
}

/* Every epoch visits the training images in a new order, from the run's seed. */
static void order_for_epoch(seqmnist_task *t, size_t epoch)
{
    if (t->order_epoch == epoch) return;
    memcpy(t->order, t->train_idx, t->n_train * sizeof *t->order);
    shuffle(t->order, t->n_train, ex_hash(t->shuffle_seed, epoch));
    t->order_epoch = epoch;
}

int seqmnist_task_fill(void *ctx, int split, size_t epoch, size_t first, size_t count,
                       float *x, float *y, int32_t *labels)
{
    seqmnist_task *t = ctx;
    size_t n = t->task.n_samples[split];
    if (split < EX_TRAIN || split > EX_TEST || first > n || count > n - first) {
        fprintf(stderr, "seqmnist: samples %zu..%zu of split %d do not exist\n", first,
                first + count, split);
        return -1;
    }
    if (split == EX_TRAIN) order_for_epoch(t, epoch);
    for (size_t s = 0; s < count; s++) {
        int label = 0;
        const unsigned char *img = image_of(t, split, first + s, 1, &label);
        float *xs = x + s * SEQMNIST_IDX_PIXELS; /* row t of the image is step t */
        for (size_t p = 0; p < SEQMNIST_IDX_PIXELS; p++) xs[p] = (float)img[p] / 255.0f;
        if (labels) labels[s] = label;
        if (y)
            for (size_t k = 0; k < SEQMNIST_STEPS * 2; k++)
                y[s * SEQMNIST_STEPS * 2 + k] = (float)t->targets[label][k];
    }
    return 0;
}
