import CFFmpeg

/// A rectangle of a picture in pixels (origin at the top left).
public struct PixelRect: Sendable, Equatable {
    public var x: Int, y: Int, width: Int, height: Int
    public init(x: Int, y: Int, width: Int, height: Int) {
        self.x = x
        self.y = y
        self.width = width
        self.height = height
    }
}

/// Decodes a video's frames for composition: each decoded frame can be cropped and scaled to YUV 4:2:0
/// pictures of any size, as often as the caller needs (a fill crop, a blurred background).
public final class VideoPictureReader {
    public let sourceWidth: Int
    public let sourceHeight: Int
    public let framesPerSecond: Double?
    private let decoder: VideoDecoder
    private let input: MediaInput
    private var scalers: [ScalerKey: OpaquePointer] = [:]

    struct ScalerKey: Hashable {
        let sourceWidth, sourceHeight, format, width, height: Int32
        let fullRange: Bool
    }

    public init(path: String, limits: MediaLimits, deadlineSeconds: Double) throws {
        input = try MediaInput(path: path, limits: limits)
        input.extendDeadline(seconds: deadlineSeconds)
        decoder = try VideoDecoder(input: input, targetWidth: limits.maxDimension, output: .rgb24, skipLoopFilter: false)
        sourceWidth = decoder.sourceWidth
        sourceHeight = decoder.sourceHeight
        framesPerSecond = decoder.framesPerSecond
    }

    deinit { for scaler in scalers.values { sws_freeContext(scaler) } }

    /// One decoded frame, valid only inside the `forEachFrame` callback.
    public struct Frame {
        let frame: UnsafeMutablePointer<AVFrame>
        let reader: VideoPictureReader
        public let index: Int
        public let seconds: Double
        /// The decoded frame's size (a stream may change size midway; its first frame's size is `sourceWidth`).
        public var width: Int { Int(frame.pointee.width) }
        public var height: Int { Int(frame.pointee.height) }

        /// The frame's `crop` rectangle scaled to `width × height` (bicubic).
        public func picture(crop: PixelRect, width: Int, height: Int) throws -> YUVPicture {
            try reader.scale(frame, crop: crop, width: width, height: height)
        }
    }

    /// Calls `body` with each frame in presentation order until it returns false.
    public func forEachFrame(_ body: (Frame) throws -> Bool) throws {
        try decoder.forEachDecodedFrame { frame, index, seconds in
            try body(Frame(frame: frame, reader: self, index: index, seconds: seconds))
        }
    }

    /// A bicubic scaler from the key's source to limited-range YUV 4:2:0. The source's range is set before
    /// the scaler is initialised: libswscale knows the deprecated `yuvj` formats are full range, but not a
    /// plain `yuv420p` frame tagged full range (VP9, AV1, phones' video), and it would pass that through
    /// as if limited (crushed blacks, clipped whites); set later, it is ignored when no scaling is needed.
    private static func makeScaler(_ key: ScalerKey) -> OpaquePointer? {
        guard let scaler = sws_alloc_context() else { return nil }
        let options: [(String, Int64)] = [
            ("srcw", Int64(key.sourceWidth)), ("srch", Int64(key.sourceHeight)), ("src_format", Int64(key.format)),
            ("dstw", Int64(key.width)), ("dsth", Int64(key.height)), ("dst_format", Int64(AV_PIX_FMT_YUV420P.rawValue)),
            ("sws_flags", Int64(SWS_BICUBIC)), ("src_range", key.fullRange ? 1 : 0), ("dst_range", 0),
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

    private func scale(_ frame: UnsafeMutablePointer<AVFrame>, crop: PixelRect, width: Int, height: Int) throws -> YUVPicture {
        let frameWidth = Int(frame.pointee.width), frameHeight = Int(frame.pointee.height)
        let x = max(0, min(crop.x, frameWidth - 2)) & ~1, y = max(0, min(crop.y, frameHeight - 2)) & ~1
        let cropWidth = max(2, min(crop.width, frameWidth - x)), cropHeight = max(2, min(crop.height, frameHeight - y))
        // Crop a reference, never the decoder's frame itself.
        guard let view = av_frame_clone(frame) else { throw FFmpegError.unsupported("out of memory") }
        var viewPointer: UnsafeMutablePointer<AVFrame>? = view
        defer { av_frame_free(&viewPointer) }
        view.pointee.crop_left = x
        view.pointee.crop_top = y
        view.pointee.crop_right = frameWidth - x - cropWidth
        view.pointee.crop_bottom = frameHeight - y - cropHeight
        try FFmpegError.check(av_frame_apply_cropping(view, Int32(AV_FRAME_CROP_UNALIGNED)), "cropping a frame")
        let key = ScalerKey(sourceWidth: view.pointee.width, sourceHeight: view.pointee.height, format: view.pointee.format,
                            width: Int32(width), height: Int32(height), fullRange: view.pointee.color_range == AVCOL_RANGE_JPEG)
        let scaler: OpaquePointer
        if let cached = scalers[key] {
            scaler = cached
        } else {
            guard let made = Self.makeScaler(key) else { throw FFmpegError.unsupported("cannot scale frames of this format") }
            scalers[key] = made
            scaler = made
        }
        return try YUVPicture.scaled(width: width, height: height) { targets, strides in
            let sources: [UnsafePointer<UInt8>?] = (0..<4).map { UnsafePointer(drsocial_frame_data(view, Int32($0))) }
            let sourceStrides: [Int32] = (0..<4).map { drsocial_frame_linesize(view, Int32($0)) }
            return sws_scale(scaler, sources, sourceStrides, 0, key.sourceHeight, targets, strides)
        }
    }
}
