#ifndef DRSOCIAL_CFFMPEG_SHIM_H
#define DRSOCIAL_CFFMPEG_SHIM_H
// Only what Swift cannot call directly: function-like macros, fixed arrays and callbacks.
#include <errno.h>
#include <math.h>
#include <time.h>
#include <libavformat/avformat.h>
#include <libavcodec/avcodec.h>
#include <libavutil/avutil.h>
#include <libavutil/dict.h>
#include <libavutil/display.h>
#include <libavutil/error.h>
#include <libavutil/imgutils.h>
#include <libavutil/opt.h>
#include <libavutil/pixdesc.h>
#include <libswscale/swscale.h>
#include <libswresample/swresample.h>

static inline int drsocial_averror(int e) { return AVERROR(e); }
static inline int drsocial_averror_eof(void) { return AVERROR_EOF; }
static inline int drsocial_averror_exit(void) { return AVERROR_EXIT; }
static inline int64_t drsocial_nopts_value(void) { return AV_NOPTS_VALUE; }
static inline int drsocial_time_base(void) { return AV_TIME_BASE; }

static inline uint8_t *drsocial_frame_data(const AVFrame *f, int plane) { return f->data[plane]; }
static inline int drsocial_frame_linesize(const AVFrame *f, int plane) { return f->linesize[plane]; }

/// Monotonic clock in microseconds, used for interrupt deadlines.
static inline int64_t drsocial_monotonic_micros(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/// An interrupt callback whose opaque points at a deadline in monotonic microseconds (0 = none).
static inline int drsocial_deadline_interrupt(void *opaque) {
    const int64_t *deadline = (const int64_t *)opaque;
    if (deadline == NULL || *deadline == 0) return 0;
    return drsocial_monotonic_micros() > *deadline ? 1 : 0;
}

/// Installs the deadline interrupt callback on a format context.
static inline void drsocial_set_deadline(AVFormatContext *ctx, int64_t *deadline) {
    ctx->interrupt_callback.callback = drsocial_deadline_interrupt;
    ctx->interrupt_callback.opaque = deadline;
}

/// An io_open that refuses every nested open (playlists, references, segments).
static inline int drsocial_refuse_nested_open(struct AVFormatContext *s, AVIOContext **pb, const char *url,
                                              int flags, AVDictionary **options) {
    (void)s; (void)pb; (void)url; (void)flags; (void)options;
    return AVERROR(EPERM);
}

/// Opens `path` with the `file` protocol only, as the context's custom IO, then refuses every later open
/// (playlists, segments, references). The caller closes the IO with `drsocial_close_file_io` after
/// `avformat_close_input`, which leaves custom IO alone.
static inline int drsocial_open_file_io(AVFormatContext *ctx, const char *path) {
    AVDictionary *options = NULL;
    av_dict_set(&options, "protocol_whitelist", "file", 0);
    AVIOContext *pb = NULL;
    int status = avio_open2(&pb, path, AVIO_FLAG_READ, &ctx->interrupt_callback, &options);
    av_dict_free(&options);
    if (status < 0) return status;
    ctx->pb = pb;
    ctx->flags |= AVFMT_FLAG_CUSTOM_IO;
    ctx->io_open = drsocial_refuse_nested_open;
    return 0;
}

static inline void drsocial_close_file_io(AVIOContext **pb) {
    avio_closep(pb);
}

/// A resampler from a decoder's audio to mono signed 16-bit at `rate` Hz.
static inline SwrContext *drsocial_mono_s16_resampler(const AVCodecContext *c, int rate) {
    SwrContext *swr = NULL;
    /* Zeroed first: av_channel_layout_copy uninitialises its destination, freeing a custom map. */
    AVChannelLayout mono = {0};
    av_channel_layout_default(&mono, 1);
    AVChannelLayout in = {0};
    if (c->ch_layout.nb_channels > 0) av_channel_layout_copy(&in, &c->ch_layout);
    else av_channel_layout_default(&in, 1);
    int status = swr_alloc_set_opts2(&swr, &mono, AV_SAMPLE_FMT_S16, rate, &in, c->sample_fmt, c->sample_rate, 0, NULL);
    av_channel_layout_uninit(&in);
    if (status < 0 || swr_init(swr) < 0) { swr_free(&swr); return NULL; }
    return swr;
}

/// Resamples one decoded frame (or, with a NULL frame, what the resampler still holds) into `out`.
static inline int drsocial_resample_s16(SwrContext *s, int16_t *out, int out_capacity, const AVFrame *f) {
    uint8_t *planes[1] = { (uint8_t *)out };
    if (!f) return swr_convert(s, planes, out_capacity, NULL, 0);
    return swr_convert(s, planes, out_capacity, (const uint8_t **)f->extended_data, f->nb_samples);
}
/// A resampler from a decoder's audio to planar float with `channels` channels at `rate` Hz.
static inline SwrContext *drsocial_float_resampler(const AVCodecContext *c, int channels, int rate) {
    SwrContext *swr = NULL;
    AVChannelLayout out = {0};
    av_channel_layout_default(&out, channels);
    AVChannelLayout in = {0};
    if (c->ch_layout.nb_channels > 0) av_channel_layout_copy(&in, &c->ch_layout);
    else av_channel_layout_default(&in, 1);
    int status = swr_alloc_set_opts2(&swr, &out, AV_SAMPLE_FMT_FLTP, rate, &in, c->sample_fmt, c->sample_rate, 0, NULL);
    av_channel_layout_uninit(&in);
    if (status < 0 || swr_init(swr) < 0) { swr_free(&swr); return NULL; }
    return swr;
}

/// Resamples one frame (or, with NULL, what is left) into planar float buffers `left` and `right`
/// (`right` may be NULL for mono).
static inline int drsocial_resample_float(SwrContext *s, float *left, float *right, int out_capacity, const AVFrame *f) {
    uint8_t *planes[2] = { (uint8_t *)left, (uint8_t *)right };
    if (!f) return swr_convert(s, planes, out_capacity, NULL, 0);
    return swr_convert(s, planes, out_capacity, (const uint8_t **)f->extended_data, f->nb_samples);
}

/// Sets an encoder context's channel layout to the default one for `channels`.
static inline void drsocial_set_channels(AVCodecContext *c, int channels) {
    av_channel_layout_uninit(&c->ch_layout);
    av_channel_layout_default(&c->ch_layout, channels);
}

/// Sets a frame's channel layout to the default one for `channels`.
static inline int drsocial_frame_set_channels(AVFrame *f, int channels) {
    av_channel_layout_uninit(&f->ch_layout);
    av_channel_layout_default(&f->ch_layout, channels);
    return 0;
}

/// Whether the muxer wants codec headers in extradata rather than in the stream.
static inline int drsocial_wants_global_header(const AVFormatContext *oc) {
    return (oc->oformat->flags & AVFMT_GLOBALHEADER) != 0;
}
/// The clockwise quarter turn (0, 90, 180 or 270 degrees) a display matrix asks for, or -1 without one
/// (or for a matrix that is not a rotation, e.g. NaN). Mirroring in the matrix is not applied.
static inline int drsocial_display_rotation(const int32_t *matrix) {
    if (matrix == NULL) return -1;
    double counterclockwise = av_display_rotation_get(matrix);
    if (isnan(counterclockwise)) return -1;
    long quarter_turns = lround(-counterclockwise / 90.0) % 4;  /* clockwise, nearest quarter, −3…3 */
    return (int)((quarter_turns + 4) % 4) * 90;
}

/// The rotation a stream's display matrix asks for (phones store portrait video as landscape + a matrix).
static inline int drsocial_stream_rotation(const AVStream *stream) {
#if LIBAVFORMAT_VERSION_MAJOR >= 61
    const AVPacketSideData *side = av_packet_side_data_get(stream->codecpar->coded_side_data,
                                                           stream->codecpar->nb_coded_side_data, AV_PKT_DATA_DISPLAYMATRIX);
    return drsocial_display_rotation(side != NULL && side->size >= 36 ? (const int32_t *)side->data : NULL);
#else
    size_t size = 0;
    const uint8_t *data = av_stream_get_side_data(stream, AV_PKT_DATA_DISPLAYMATRIX, &size);
    return drsocial_display_rotation(data != NULL && size >= 36 ? (const int32_t *)data : NULL);
#endif
}

/// The rotation a decoded frame's own display matrix asks for (a JPEG's EXIF orientation), or -1.
static inline int drsocial_frame_rotation(const AVFrame *frame) {
    const AVFrameSideData *side = av_frame_get_side_data(frame, AV_FRAME_DATA_DISPLAYMATRIX);
    return drsocial_display_rotation(side != NULL && side->size >= 36 ? (const int32_t *)side->data : NULL);
}

#endif
