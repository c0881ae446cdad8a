/* Words and their ids: a tokenizer, the vocabulary built from training captions with a
 * minimum count, and the conversion of captions to id sequences and back.
 *
 * Special tokens have fixed ids: <pad> 0, <start> 1, <end> 2, <unk> 3.  The other
 * words follow, most frequent first (ties in alphabetical order), so the same captions
 * always give the same vocabulary.  A word seen fewer than min_count times in the
 * training captions maps to <unk>. */
#ifndef CAP_VOCAB_H
#define CAP_VOCAB_H

#include <stddef.h>
#include <stdint.h>

enum { CAP_PAD = 0, CAP_START = 1, CAP_END = 2, CAP_UNK = 3, CAP_N_SPECIAL = 4 };

#define CAP_MAX_WORD 64 /* longer words are cut */

/* Split text into lowercase words: runs of ASCII letters and digits (and apostrophes
 * inside a word); everything else separates.  The words are written into buf
 * (NUL-separated) and tokens[] points at them.  Returns the number of words (which
 * may exceed max: only the first max are stored). */
size_t cap_tokenize(const char *text, char *buf, size_t buf_cap, const char **tokens,
                    size_t max);

typedef struct cap_vocab {
    size_t size;        /* including the 4 special tokens */
    char **words;       /* size entries */
    size_t *counts;     /* training counts (0 for the specials) */
    size_t table_size;  /* hash table of word -> id */
    int32_t *table;
} cap_vocab;

/* Build the vocabulary of n texts; words seen at least min_count (>= 1) times.
 * Returns 0, or -1 on allocation failure. */
int cap_vocab_build(const char *const *texts, size_t n, size_t min_count, cap_vocab *v);
void cap_vocab_free(cap_vocab *v);
/* Id of a word (already lowercase), CAP_UNK if unknown. */
int32_t cap_vocab_id(const cap_vocab *v, const char *word);
/* The word of an id ("<unk>" if out of range). */
const char *cap_vocab_word(const cap_vocab *v, int32_t id);
/* ids = <start> w1 .. wn <end>; returns n + 2 (the words are cut at max - 2). */
size_t cap_vocab_encode(const cap_vocab *v, const char *text, int32_t *ids, size_t max);
/* Words of ids up to the first <end> (skipping <start> and <pad>), space-separated. */
void cap_vocab_decode(const cap_vocab *v, const int32_t *ids, size_t n, char *buf, size_t cap);

#endif
