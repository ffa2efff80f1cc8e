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
                            width: Int32(width), height: Int32(height), fullRange: ScalerContext.isFullRange(view))
        let scaler: OpaquePointer
        if let cached = scalers[key] {
            scaler = cached
        } else {
            guard let made = ScalerContext.make(
                sourceWidth: key.sourceWidth, sourceHeight: key.sourceHeight, sourceFormat: key.format, sourceFullRange: key.fullRange,
                width: key.width, height: key.height, format: AV_PIX_FMT_YUV420P, flags: Int32(SWS_BICUBIC))
            else { throw FFmpegError.unsupported("cannot scale frames of this format") }
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
