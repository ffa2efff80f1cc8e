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
///
/// Sizes, crops and pictures are as the file is meant to be shown: a display matrix that turns the frames
/// (a phone's portrait video, stored as landscape frames; a JPEG's EXIF orientation) is applied.
public final class VideoPictureReader {
    /// The stream's size as shown (after its rotation).
    public let sourceWidth: Int
    public let sourceHeight: Int
    /// The clockwise quarter turn (0, 90, 180, 270) the stream's display matrix asks for.
    public let rotation: Int
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
        decoder = try VideoDecoder(input: input, targetSize: limits.maxDimension, output: .rgb24, skipLoopFilter: false)
        rotation = decoder.rotation
        let sideways = rotation == 90 || rotation == 270
        sourceWidth = sideways ? decoder.sourceHeight : decoder.sourceWidth
        sourceHeight = sideways ? decoder.sourceWidth : decoder.sourceHeight
        framesPerSecond = decoder.framesPerSecond
    }

    deinit { for scaler in scalers.values { sws_freeContext(scaler) } }

    /// One decoded frame, valid only inside the `forEachFrame` callback.
    public struct Frame {
        let frame: UnsafeMutablePointer<AVFrame>
        let reader: VideoPictureReader
        public let index: Int
        public let seconds: Double
        /// The clockwise quarter turn this frame is shown with: its own display matrix (a JPEG's EXIF
        /// orientation), else the stream's.
        public var rotation: Int {
            let own = Int(drsocial_frame_rotation(frame))
            return own >= 0 ? own : reader.rotation
        }
        /// The frame's size as shown (a stream may change size midway).
        public var width: Int { rotation == 90 || rotation == 270 ? Int(frame.pointee.height) : Int(frame.pointee.width) }
        public var height: Int { rotation == 90 || rotation == 270 ? Int(frame.pointee.width) : Int(frame.pointee.height) }

        /// The frame's `crop` rectangle (in shown coordinates) scaled to `width × height` (bicubic), upright.
        public func picture(crop: PixelRect, width: Int, height: Int) throws -> YUVPicture {
            let turn = rotation
            guard turn != 0 else { return try reader.scale(frame, crop: crop, width: width, height: height) }
            // Crop and scale the stored frame, then turn the (small) result upright.
            let storedWidth = Int(frame.pointee.width)
            let storedHeight = Int(frame.pointee.height)
            let stored: PixelRect
            switch turn {
            case 90: stored = PixelRect(x: crop.y, y: storedHeight - crop.x - crop.width, width: crop.height, height: crop.width)
            case 270: stored = PixelRect(x: storedWidth - crop.y - crop.height, y: crop.x, width: crop.height, height: crop.width)
            default:
                stored = PixelRect(
                    x: storedWidth - crop.x - crop.width,
                    y: storedHeight - crop.y - crop.height,
                    width: crop.width,
                    height: crop.height
                )
            }
            let sideways = turn != 180
            return try reader.scale(frame, crop: stored, width: sideways ? height : width, height: sideways ? width : height)
                .rotated(clockwise: turn)
        }
    }

    /// Calls `body` with each frame in presentation order until it returns false.
    public func forEachFrame(_ body: (Frame) throws -> Bool) throws {
        try decoder.forEachDecodedFrame { frame, index, seconds in
            try body(Frame(frame: frame, reader: self, index: index, seconds: seconds))
        }
    }

    private func scale(_ frame: UnsafeMutablePointer<AVFrame>, crop: PixelRect, width: Int, height: Int) throws -> YUVPicture {
        let frameWidth = Int(frame.pointee.width)
        let frameHeight = Int(frame.pointee.height)
        let x = max(0, min(crop.x, frameWidth - 2)) & ~1
        let y = max(0, min(crop.y, frameHeight - 2)) & ~1
        let cropWidth = max(2, min(crop.width, frameWidth - x))
        let cropHeight = max(2, min(crop.height, frameHeight - y))
        // Crop a reference, never the decoder's frame itself.
        guard let view = av_frame_clone(frame) else { throw FFmpegError.unsupported("out of memory") }
        var viewPointer: UnsafeMutablePointer<AVFrame>? = view
        defer { av_frame_free(&viewPointer) }
        view.pointee.crop_left = x
        view.pointee.crop_top = y
        view.pointee.crop_right = frameWidth - x - cropWidth
        view.pointee.crop_bottom = frameHeight - y - cropHeight
        try FFmpegError.check(av_frame_apply_cropping(view, Int32(AV_FRAME_CROP_UNALIGNED)), "cropping a frame")
        let key = ScalerKey(
            sourceWidth: view.pointee.width,
            sourceHeight: view.pointee.height,
            format: view.pointee.format,
            width: Int32(width),
            height: Int32(height),
            fullRange: ScalerContext.isFullRange(view)
        )
        let scaler: OpaquePointer
        if let cached = scalers[key] {
            scaler = cached
        } else {
            guard
                let made = ScalerContext.make(
                    sourceWidth: key.sourceWidth,
                    sourceHeight: key.sourceHeight,
                    sourceFormat: key.format,
                    sourceFullRange: key.fullRange,
                    width: key.width,
                    height: key.height,
                    format: AV_PIX_FMT_YUV420P,
                    flags: Int32(SWS_BICUBIC)
                )
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
