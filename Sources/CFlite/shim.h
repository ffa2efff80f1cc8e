#ifndef DRSOCIAL_CFLITE_SHIM_H
#define DRSOCIAL_CFLITE_SHIM_H
#include <flite/flite.h>

/* The voice's registration function is not in flite's headers. */
cst_voice *register_cmu_us_slt(const char *voxdir);

/// Synthesises `text` with the `slt` voice (registered once by the caller, under a lock).
static inline cst_utterance *drsocial_flite_speak(const char *text, cst_voice *voice) {
    return flite_synth_text(text, voice);
}

/// The first word of an utterance, or NULL.
static inline cst_item *drsocial_flite_first_word(cst_utterance *u) {
    return relation_head(utt_relation(u, "Word"));
}

/// A word's end time in seconds (its last segment's end).
static inline float drsocial_flite_word_end(const cst_item *word) {
    return ffeature_float(word, "R:SylStructure.daughtern.daughtern.R:Segment.end");
}

/// A word's start time in seconds (the end of the segment before its first).
static inline float drsocial_flite_word_start(const cst_item *word) {
    return ffeature_float(word, "R:SylStructure.daughter1.daughter1.R:Segment.p.end");
}
#endif
