/* The seqMNIST IDX reader and a gzip bomb: a small .gz file whose header declares
 * 2^32 - 1 images over hundreds of megabytes of compressed zeros.  The reader holds at
 * most what the header declares, and never more than 2^20 images: a larger declaration
 * is checked by counting the inflated bytes in a fixed buffer (truncated, or too large)
 * without keeping them.  Before the fix it read every inflated byte into memory (2 GiB
 * from a 2 MB file) and then reported the truncation. */
#define _DEFAULT_SOURCE
#include <stdio.h>
#include <sys/resource.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zlib.h>

#include "idx.h"
#include "rel-util.h"

/* A gzip file: an image header declaring `count` images, then `zeros` zero bytes. */
static void write_bomb(const char *path, uint32_t count, size_t zeros)
{
    gzFile gz = gzopen(path, "wb1");
    if (!gz) rel_die("cannot create %s", path);
    unsigned char head[16] = {0, 0, 8, 3};
    for (int i = 0; i < 4; i++) head[4 + i] = (unsigned char)(count >> (24 - 8 * i));
    head[11] = head[15] = 28;
    if (gzwrite(gz, head, sizeof head) != (int)sizeof head) rel_die("gzwrite failed");
    static unsigned char block[1 << 16];
    for (size_t done = 0; done < zeros;) {
        unsigned n = zeros - done < sizeof block ? (unsigned)(zeros - done) : (unsigned)sizeof block;
        if (gzwrite(gz, block, n) != (int)n) rel_die("gzwrite failed");
        done += n;
    }
    gzclose(gz);
}

int main(void)
{
    ts_tmpdir tmp;
    if (ts_tmpdir_make(&tmp, "ccrnn-idx-bomb")) rel_die("cannot make a temporary directory");
    const char *path = ts_tmpdir_file(&tmp, "bomb.gz");
    char err[256];
    seqmnist_idx v;
    unsigned char *data = NULL;

    /* 2^32 - 1 declared images over 256 MiB of zeros (a file of 250 KB): truncated,
     * and the peak resident size grows by far less than the inflated size. */
    write_bomb(path, 0xFFFFFFFFu, (size_t)256 << 20);
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    long peak0 = ru.ru_maxrss;
    int st = seqmnist_idx_load(path, SEQMNIST_IDX_IMAGES, &v, &data, err, sizeof err);
    getrusage(RUSAGE_SELF, &ru);
    CHECK(st == SEQMNIST_IDX_ERR_TRUNCATED, "a header declaring 2^32 - 1 images: status %d (%s), "
          "expected TRUNCATED", st, err);
    CHECK(ru.ru_maxrss - peak0 < 32 * 1024, "peak resident size grew by %ld KiB reading a bomb "
          "of 256 MiB", ru.ru_maxrss - peak0);
    CHECK(data == NULL, "no data handed out");

    /* 2^20 + 1 images, just over what is held, and no data: truncated. */
    write_bomb(path, (1u << 20) + 1, 0);
    st = seqmnist_idx_load(path, SEQMNIST_IDX_IMAGES, &v, &data, err, sizeof err);
    CHECK(st == SEQMNIST_IDX_ERR_TRUNCATED, "2^20 + 1 declared images: status %d (%s)", st, err);

    /* A real header with fewer bytes than declared is still a truncation. */
    write_bomb(path, 2, 784);
    st = seqmnist_idx_load(path, SEQMNIST_IDX_IMAGES, &v, &data, err, sizeof err);
    CHECK(st == SEQMNIST_IDX_ERR_TRUNCATED, "2 images declared, 1 present: status %d (%s)", st,
          err);
    write_bomb(path, 2, 2 * 784);
    st = seqmnist_idx_load(path, SEQMNIST_IDX_IMAGES, &v, &data, err, sizeof err);
    CHECK(st == SEQMNIST_IDX_OK && v.count == 2, "2 images: status %d (%s)", st, err);
    free(data);
    ts_tmpdir_remove(&tmp);
    return rel_summary("test-idx-limit");
}
