/*
 * rollstats: rolling statistics over arrays of doubles, a C ABI over a Rust core.
 *
 * ABI version 1.2. Adding a function raises the minor version; changing or removing one, or
 * changing a struct, raises the major version. Check rs_abi_version() at load time.
 *
 * Conventions: functions returning int return RS_OK or an RS_ERR_* code, and a failing call sets a
 * message for the calling thread that rs_last_error() returns. Memory this library hands out is
 * freed only by its own free functions. No function lets a panic escape.
 */
#ifndef ROLLSTATS_H
#define ROLLSTATS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define ROLLSTATS_ABI_VERSION_MAJOR 1
#define ROLLSTATS_ABI_VERSION_MINOR 2

#define RS_OK 0
#define RS_ERR_NULL 1       /* a required pointer was NULL */
#define RS_ERR_VALUE 2      /* bad window, ddof, output length or overlapping buffers */
#define RS_ERR_NON_FINITE 3 /* NaN or infinity in the input */
#define RS_ERR_PARSE 4      /* text that is not UTF-8 or not numbers */
#define RS_ERR_PANIC 5      /* a bug in the library, caught at the boundary */

/* A summary, not thread-safe: one thread at a time per handle. */
typedef struct RsStats RsStats;

/* A summary any number of threads may use at once (ABI 1.1). */
typedef struct RsShared RsShared;

typedef struct RsSummary {
    uint64_t count;
    double mean;     /* NaN when empty */
    double variance; /* sample variance (ddof = 1), NaN with fewer than two values */
    double min;      /* NaN when empty */
    double max;      /* NaN when empty */
} RsSummary;

/* The ABI version, (major << 16) | minor. */
uint32_t rs_abi_version(void);

/* Errors: a copy of this thread's last error message, or NULL; free it with rs_string_free. */
char *rs_last_error(void);
int rs_debug_panic(void);

/* Single-threaded handles (ABI 1.0). */
RsStats *rs_stats_new(void);
void rs_stats_free(RsStats *stats);
int rs_stats_extend(RsStats *stats, const double *values, size_t len);
int rs_stats_extend_text(RsStats *stats, const uint8_t *text, size_t len);
int rs_stats_merge(RsStats *target, const RsStats *source);
int rs_stats_summary(const RsStats *stats, RsSummary *out);
char *rs_stats_describe(const RsStats *stats);

/* Results in new buffers, freed with rs_buffer_free(*out, *out_len) (ABI 1.0). */
int rs_rolling_mean(const double *values, size_t len, size_t window, double **out,
                    size_t *out_len);
int rs_rolling_std(const double *values, size_t len, size_t window, size_t ddof, double **out,
                   size_t *out_len);
void rs_buffer_free(double *data, size_t len);
void rs_string_free(char *text);

/* Thread-safe handles (ABI 1.1). */
RsShared *rs_shared_new(void);
void rs_shared_free(RsShared *shared);
int rs_shared_extend(const RsShared *shared, const double *values, size_t len);
int rs_shared_summary(const RsShared *shared, RsSummary *out);
uint64_t rs_shared_batches(const RsShared *shared);

/* Results written into the caller's buffer of exactly rs_output_len(len, window) doubles, which
 * must not overlap the input (ABI 1.2). */
size_t rs_output_len(size_t len, size_t window);
int rs_rolling_mean_into(const double *values, size_t len, size_t window, double *out,
                         size_t out_len);
int rs_rolling_std_into(const double *values, size_t len, size_t window, size_t ddof, double *out,
                        size_t out_len);

#ifdef __cplusplus
}
#endif

#endif /* ROLLSTATS_H */
