/* Thread safety as documented: distinct handles may be used concurrently.  Models
 * trained at once from several threads end bit-identical to the same models trained
 * one after another; error messages are per thread; concurrent atomic saves to one
 * path leave one whole checkpoint.  tests/reliability/run-tsan.sh runs this under
 * ThreadSanitizer. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rel-util.h"

#define N_THREADS 4
#define N_BATCHES 4

typedef struct job {
    rel_config cfg;
    unsigned char *checkpoint[3];
    size_t size[3];
    int status;
    int message_ok;
} job;

static pthread_barrier_t barrier;

static void train_job(job *j)
{
    rel_model m;
    rel_model_create(&m, &j->cfg);
    j->status = 0;
    for (uint64_t b = 0; b < N_BATCHES && !j->status; b++) j->status = rel_train_batch(&m, b);
    j->checkpoint[0] = rel_save_cortex(m.cx, &j->size[0]);
    j->checkpoint[1] = rel_save_cerebellum(m.cb, &j->size[1]);
    j->checkpoint[2] = rel_save_optimizer(m.opt, &j->size[2]);
    rel_model_destroy(&m);
}

static void *thread_main(void *arg)
{
    job *j = arg;
    pthread_barrier_wait(&barrier);
    train_job(j);
    /* Each thread's failed call names its own argument, whatever the others do. */
    ccrnn_cortex *cx;
    char want[64];
    size_t batch = 1000 + (size_t)j->cfg.seed;
    ccrnn_cortex_create(CCRNN_CELL_TANH, 1, 1, 1, 1, 1, 1, &cx);
    ccrnn_cortex_reset(cx, batch);
    pthread_barrier_wait(&barrier);
    snprintf(want, sizeof want, "batch %zu ", batch);
    j->message_ok = strstr(ccrnn_last_error(), want) != NULL;
    ccrnn_cortex_destroy(cx);
    return NULL;
}

static void make_jobs(job *jobs)
{
    static const int cells[3] = {CCRNN_CELL_LSTM, CCRNN_CELL_GRU, CCRNN_CELL_TANH};
    for (int i = 0; i < N_THREADS; i++) {
        memset(&jobs[i], 0, sizeof jobs[i]);
        jobs[i].cfg = rel_default_config(cells[i % 3]);
        jobs[i].cfg.seed = 11 + (uint64_t)i;
        jobs[i].cfg.n_hidden = 16;
        jobs[i].cfg.batch = 8;
        jobs[i].cfg.fibres = i % 2 ? 7 : 0;
    }
}

static void free_jobs(job *jobs)
{
    for (int i = 0; i < N_THREADS; i++)
        for (int k = 0; k < 3; k++) free(jobs[i].checkpoint[k]);
}

static void test_concurrent_training(void)
{
    job par[N_THREADS], seq[N_THREADS];
    make_jobs(par);
    make_jobs(seq);
    pthread_t th[N_THREADS];
    pthread_barrier_init(&barrier, NULL, N_THREADS);
    for (int i = 0; i < N_THREADS; i++)
        if (pthread_create(&th[i], NULL, thread_main, &par[i])) rel_die("pthread_create failed");
    for (int i = 0; i < N_THREADS; i++) pthread_join(th[i], NULL);
    pthread_barrier_destroy(&barrier);
    for (int i = 0; i < N_THREADS; i++) train_job(&seq[i]);
    static const char *what[3] = {"cortex", "cerebellum", "optimizer"};
    for (int i = 0; i < N_THREADS; i++) {
        CHECK(par[i].status == 0 && seq[i].status == 0, "job %d: training failed", i);
        CHECK(par[i].message_ok, "thread %d saw another thread's error message", i);
        for (int k = 0; k < 3; k++)
            CHECK(ts_same_bytes(par[i].checkpoint[k], par[i].size[k], seq[i].checkpoint[k],
                                 seq[i].size[k]),
                  "job %d: %s trained concurrently differs from sequential", i, what[k]);
    }
    /* Distinct seeds did give distinct models (the comparison is not vacuous). */
    CHECK(!ts_same_bytes(par[0].checkpoint[0], par[0].size[0], par[3].checkpoint[0],
                          par[3].size[0]), "different jobs gave the same cortex");
    printf("%d models trained concurrently, %d batches each: bit-identical to sequential\n",
           N_THREADS, N_BATCHES);
    free_jobs(par);
    free_jobs(seq);
}

/* ---- concurrent saves to one path -------------------------------------------------- */

typedef struct saver {
    ccrnn_cortex *cx;
    const char *path;
    int failures;
} saver;

static void *save_loop(void *arg)
{
    saver *s = arg;
    for (int i = 0; i < 20; i++) s->failures += ccrnn_cortex_save(s->cx, s->path) != CCRNN_OK;
    return NULL;
}

static void test_concurrent_saves(void)
{
    ts_tmpdir tmp;
    if (ts_tmpdir_make(&tmp, "ccrnn-threads")) rel_die("cannot make a temporary directory");
    const char *path = ts_tmpdir_file(&tmp, "shared.ckpt");
    saver s[N_THREADS];
    unsigned char *ck[N_THREADS];
    size_t n[N_THREADS];
    pthread_t th[N_THREADS];
    for (int i = 0; i < N_THREADS; i++) {
        MUST(ccrnn_cortex_create(CCRNN_CELL_LSTM, 4, 32, 4, 4, 4, 100 + (uint64_t)i, &s[i].cx));
        s[i].path = path;
        s[i].failures = 0;
        ck[i] = rel_save_cortex(s[i].cx, &n[i]);
    }
    for (int i = 0; i < N_THREADS; i++) pthread_create(&th[i], NULL, save_loop, &s[i]);
    for (int i = 0; i < N_THREADS; i++) pthread_join(th[i], NULL);
    FILE *f = fopen(path, "rb");
    unsigned char *got = malloc(n[0] + 1);
    size_t k = f ? fread(got, 1, n[0] + 1, f) : 0;
    if (f) fclose(f);
    int whole = 0;
    for (int i = 0; i < N_THREADS; i++) {
        CHECK(s[i].failures == 0, "thread %d: %d saves failed", i, s[i].failures);
        whole |= ts_same_bytes(got, k, ck[i], n[i]);
        ccrnn_cortex_destroy(s[i].cx);
        free(ck[i]);
    }
    CHECK(whole, "after concurrent saves the file is not one whole checkpoint");
    free(got);
    unlink(path);
    CHECK(rmdir(tmp.path) == 0, "temporary files left behind by concurrent saves");
}

int main(void)
{
    test_concurrent_training();
    test_concurrent_saves();
    return rel_summary("test-threads");
}
