#ifndef DRSOCIAL_CFFMPEG_SHIM_H
#define DRSOCIAL_CFFMPEG_SHIM_H
// Only what Swift cannot call directly: function-like macros, fixed arrays and callbacks.
#include <errno.h>
#include <math.h>
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
