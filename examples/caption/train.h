/* The training loop over a caption set and the evaluation metrics: per-token
 * cross-entropy (and from it bits per word and perplexity), corpus BLEU-4 of greedy
 * captions and their length. */
#ifndef CAP_TRAIN_H
#define CAP_TRAIN_H

#include <stddef.h>
#include <stdint.h>

#include "captioner.h"
#include "data.h"

/* One epoch over the set in batches of one caption length (shuffled from seed).
 * *xent receives the mean training cross-entropy per token (nats), *cb_loss the mean
 * cerebellar loss per batch (0 for the cRNN).  Returns a ccrnn status. */
int cap_train_epoch(cap_model *m, const cap_corpus *c, const cap_set *s, uint64_t seed,
                    double *xent, double *cb_loss);

/* Mean cross-entropy per token (nats) of every caption of the set, whole sequences
 * from the zero state (all L = n + 2 targets of each caption are scored). */
int cap_eval_xent(cap_model *m, const cap_corpus *c, const cap_set *s, double *xent);

/* Greedy captions of the set's images against all their captions as references.
 * Any out pointer may be NULL: bleu (corpus BLEU-4), gen_len and ref_len (mean
 * words per generated caption and per reference caption). */
int cap_eval_bleu(cap_model *m, const cap_corpus *c, const cap_set *s, double *bleu,
                  double *gen_len, double *ref_len);

/* Greedy caption of each of n images (ids of the corpus) as text: texts[i] receives
 * at most cap bytes. */
int cap_caption_images(cap_model *m, const cap_corpus *c, const cap_vocab *v,
                       const size_t *images, size_t n, char *texts, size_t cap);

/* Bits per word and perplexity from a cross-entropy in nats per token. */
double cap_bits_per_word(double xent);
double cap_perplexity(double xent);

#endif
