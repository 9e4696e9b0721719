/*
 * rollstats: the C header of this crate's C ABI.
 *
 * Milestone 5 is yours: this file starts as milestone 2's declarations, as the README lists them.
 * Complete it so that it declares exactly the functions the library exports (milestones 2 to 5),
 * with an include guard, an extern "C" block for C++, the ABI version macros, the status codes as
 * #defines and the RsSummary struct, as the README's milestone 5 specifies.
 */
#include <stddef.h>
#include <stdint.h>

#define RS_OK 0
#define RS_ERR_NULL 1
#define RS_ERR_VALUE 2
#define RS_ERR_NON_FINITE 3
#define RS_ERR_PARSE 4
#define RS_ERR_PANIC 5

typedef struct RsStats RsStats;

typedef struct RsSummary {
    uint64_t count;
    double mean;
    double variance; /* ddof = 1 */
    double min;
    double max;
} RsSummary;

RsStats *rs_stats_new(void);
void rs_stats_free(RsStats *stats);
int rs_stats_extend(RsStats *stats, const double *values, size_t len);
int rs_stats_extend_text(RsStats *stats, const uint8_t *text, size_t len);
int rs_stats_merge(RsStats *target, const RsStats *source);
int rs_stats_summary(const RsStats *stats, RsSummary *out);
char *rs_stats_describe(const RsStats *stats);
int rs_rolling_mean(const double *values, size_t len, size_t window, double **out, size_t *out_len);
int rs_rolling_std(const double *values, size_t len, size_t window, size_t ddof, double **out,
                   size_t *out_len);
void rs_buffer_free(double *data, size_t len);
void rs_string_free(char *text);
char *rs_last_error(void);
int rs_debug_panic(void);
