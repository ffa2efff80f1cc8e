import CFFmpeg

/// Builds libswscale contexts that know their source's range.
///
/// libswscale treats the deprecated `yuvj` formats as full range by itself, but not a plain `yuv420p` frame
/// tagged full range (VP9, AV1, some phones' video): it would read those levels as limited (crushed blacks,
/// clipped whites). The range has to be set before the context is initialised: set afterwards
/// (`sws_setColorspaceDetails`), it is ignored when no scaling is needed.
enum ScalerContext {
    /// A context from `sourceFormat` at `sourceWidth × sourceHeight` to `format` at `width × height`; YUV
    /// targets are limited range (what the encoder is told), RGB and gray as libswscale makes them.
    static func make(
        sourceWidth: Int32,
        sourceHeight: Int32,
        sourceFormat: Int32,
        sourceFullRange: Bool,
        width: Int32,
        height: Int32,
        format: AVPixelFormat,
        flags: Int32
    ) -> OpaquePointer? {
        guard let scaler = sws_alloc_context() else { return nil }
        let options: [(String, Int64)] = [
            ("srcw", Int64(sourceWidth)), ("srch", Int64(sourceHeight)), ("src_format", Int64(sourceFormat)),
            ("dstw", Int64(width)), ("dsth", Int64(height)), ("dst_format", Int64(format.rawValue)),
            ("sws_flags", Int64(flags)), ("src_range", sourceFullRange ? 1 : 0), ("dst_range", 0),
        ]
        for (name, value) in options where av_opt_set_int(UnsafeMutableRawPointer(scaler), name, value, 0) < 0 {
            sws_freeContext(scaler)
            return nil
        }
        guard sws_init_context(scaler, nil, nil) >= 0 else {
            sws_freeContext(scaler)
            return nil
        }
        return scaler
    }

    /// Whether a decoded frame says its levels are full range.
    static func isFullRange(_ frame: UnsafePointer<AVFrame>) -> Bool {
        frame.pointee.color_range == AVCOL_RANGE_JPEG
    }
}
