import CFFmpeg
import CPixelKernels

/// One decoded frame, scaled down for analysis. The pixels are valid only inside the callback.
struct AnalysisFrame {
    /// 0-based index in decode order of presentation.
    let index: Int
    /// Presentation time in seconds (from the stream's time base), or the index over the frame rate.
    let seconds: Double
    let width: Int
    let height: Int
    /// Bytes per row (≥ width × bytes per pixel).
    let stride: Int
    /// Packed pixels in the decoder's output format (RGB24 or GRAY8).
    let pixels: UnsafeBufferPointer<UInt8>
    /// The clockwise quarter turn the frame is shown with (its display matrix); the pixels are as stored.
    var rotation: Int = 0
}

/// Decodes a file's best video stream with libavcodec (frame threading) and scales each frame with
/// libswscale to a small analysis size. The one decoder every analysis stage shares.
final class VideoDecoder {
    enum Output { case rgb24, gray8 }

    private let input: MediaInput
    private let streamIndex: Int32
    private var codec: UnsafeMutablePointer<AVCodecContext>?
    private let timeBase: AVRational
    /// Frames per second of the stream, when it says.
    let framesPerSecond: Double?
    let sourceWidth: Int
    let sourceHeight: Int
    /// The clockwise quarter turn the stream's display matrix asks for (0, 90, 180 or 270).
    let rotation: Int
    let output: Output
    let targetSize: Int

    /// - Parameters:
    ///   - targetSize: the longer side frames are scaled to, the width of a landscape frame and the height
    ///     of a portrait one (the aspect ratio is kept; never upscaled).
    ///   - skipLoopFilter: skip H.264's deblocking, which analysis does not need, for speed.
    init(input: MediaInput, targetSize: Int = 256, output: Output = .rgb24, skipLoopFilter: Bool = true, threads: Int = 0) throws {
        self.input = input
        self.output = output
        self.targetSize = targetSize
        guard let format = input.formatContext else { throw FFmpegError.unsupported("the file is not open") }
        var decoder: UnsafePointer<AVCodec>?
        let index = av_find_best_stream(format, AVMEDIA_TYPE_VIDEO, -1, -1, &decoder, 0)
        guard index >= 0, let decoder, let stream = format.pointee.streams[Int(index)] else {
            throw FFmpegError.unsupported("the file has no video stream")
        }
        streamIndex = index
        timeBase = stream.pointee.time_base
        rotation = max(0, Int(drsocial_stream_rotation(stream)))
        let rate = stream.pointee.avg_frame_rate.num > 0 ? stream.pointee.avg_frame_rate : stream.pointee.r_frame_rate
        framesPerSecond = rate.num > 0 && rate.den > 0 ? Double(rate.num) / Double(rate.den) : nil
        guard let context = avcodec_alloc_context3(decoder) else { throw FFmpegError.unsupported("out of memory") }
        codec = context
        try FFmpegError.check(avcodec_parameters_to_context(context, stream.pointee.codecpar), "reading the codec parameters")
        context.pointee.thread_count = Int32(threads)
        context.pointee.thread_type = FF_THREAD_FRAME | FF_THREAD_SLICE
        if skipLoopFilter { context.pointee.skip_loop_filter = AVDISCARD_ALL }
        try FFmpegError.check(avcodec_open2(context, decoder, nil), "opening the video decoder")
        sourceWidth = Int(context.pointee.width)
        sourceHeight = Int(context.pointee.height)
    }

    deinit { avcodec_free_context(&codec) }

    /// Calls `body` with every frame in order (or only those `wants` accepts, by index and seconds, which
    /// saves scaling the others) until it returns false or the stream ends.
    func forEachFrame(wants: ((Int, Double) -> Bool)? = nil, _ body: (AnalysisFrame) throws -> Bool) throws {
        let scaler = Scaler(targetSize: targetSize, output: output)
        try forEachDecodedFrame { frame, index, seconds in
            guard wants?(index, seconds) ?? true else { return true }
            var keepGoing = true
            try scaler.scale(frame) { width, height, stride, pixels in
                let own = Int(drsocial_frame_rotation(frame))
                keepGoing = try body(
                    AnalysisFrame(
                        index: index,
                        seconds: seconds,
                        width: width,
                        height: height,
                        stride: stride,
                        pixels: pixels,
                        rotation: own >= 0 ? own : rotation
                    )
                )
            }
            return keepGoing
        }
    }

    /// Calls `body` with every decoded frame as libavcodec returns it (valid only inside the call), its index
    /// and presentation time, until it returns false or the stream ends.
    func forEachDecodedFrame(_ body: (UnsafeMutablePointer<AVFrame>, Int, Double) throws -> Bool) throws {
        guard let codec, input.formatContext != nil else { return }
        var index = 0
        try input.decodeFrames(of: streamIndex, with: codec, errors: ("decoding a video frame", "sending a packet to the decoder")) { frame in
            let pts = frame.pointee.best_effort_timestamp
            let seconds =
                pts != drsocial_nopts_value()
                ? Double(pts) * Double(timeBase.num) / Double(timeBase.den)
                : Double(index) / (framesPerSecond ?? 30)
            defer { index += 1 }
            return try body(frame, index, seconds)
        }
    }
}

/// Owns a libswscale context and the buffer it scales into.
final class Scaler {
    /// The longer side of a scaled frame: a portrait frame gets as many pixels as a landscape one of the
    /// same shape (scaled by its width, a 720×1280 phone frame kept 6× the pixels of a 1280×720 one and
    /// analysed at 0.8× the decoder's speed).
    let targetSize: Int
    let output: VideoDecoder.Output
    private var context: OpaquePointer?
    private var buffer: [UInt8] = []
    private var key: (Int32, Int32, Int32, Bool) = (0, 0, -1, false)

    init(targetSize: Int, output: VideoDecoder.Output) {
        self.targetSize = targetSize
        self.output = output
    }

    deinit { sws_freeContext(context) }

    func scale(
        _ frame: UnsafeMutablePointer<AVFrame>,
        _ body: (Int, Int, Int, UnsafeBufferPointer<UInt8>) throws -> Void
    ) throws {
        let sourceWidth = frame.pointee.width
        let sourceHeight = frame.pointee.height
        let sourceFormat = frame.pointee.format
        guard sourceWidth > 0, sourceHeight > 0 else { throw FFmpegError.unsupported("a frame has no size") }
        // 4:2:0 frames shrunk by 2× or more go through one C pass (box average + RGB) instead of libswscale's
        // area filter: the scaler was a third of scene detection's time (bench/analysis).
        let longer = max(Int(sourceWidth), Int(sourceHeight))
        let shorter = min(Int(sourceWidth), Int(sourceHeight))
        let factor = longer / targetSize
        let isYUV420 = sourceFormat == AV_PIX_FMT_YUV420P.rawValue || sourceFormat == AV_PIX_FMT_YUVJ420P.rawValue
        if output == .rgb24, isYUV420, factor >= 2, shorter / factor >= 2 {
            let width = Int(sourceWidth) / factor
            let height = Int(sourceHeight) / factor
            let stride = (width * 3 + 63) & ~63
            if buffer.count < stride * height { buffer = [UInt8](repeating: 0, count: stride * (height + 1)) }
            let fullRange = sourceFormat == AV_PIX_FMT_YUVJ420P.rawValue || ScalerContext.isFullRange(frame)
            try buffer.withUnsafeMutableBufferPointer { target in
                drsocial_shrink_yuv420_to_rgb(
                    drsocial_frame_data(frame, 0),
                    drsocial_frame_linesize(frame, 0),
                    drsocial_frame_data(frame, 1),
                    drsocial_frame_linesize(frame, 1),
                    drsocial_frame_data(frame, 2),
                    drsocial_frame_linesize(frame, 2),
                    sourceWidth,
                    sourceHeight,
                    Int32(factor),
                    target.baseAddress,
                    Int32(stride),
                    fullRange ? 1 : 0
                )
                try body(width, height, stride, UnsafeBufferPointer(target))
            }
            return
        }
        let side = min(targetSize, longer)
        let width = Int32(sourceWidth >= sourceHeight ? side : max(1, (Int(sourceWidth) * side + longer / 2) / longer))
        let height = Int32(sourceWidth >= sourceHeight ? max(1, (Int(sourceHeight) * side + longer / 2) / longer) : side)
        let pixelFormat = output == .rgb24 ? AV_PIX_FMT_RGB24 : AV_PIX_FMT_GRAY8
        let bytesPerPixel = output == .rgb24 ? 3 : 1
        // libswscale's SIMD writers store whole vectors: a row may be written past its last pixel, so rows
        // are 64-byte aligned and the buffer keeps one spare row (an exact-size buffer was overrun on
        // widths that are not a multiple of 16, corrupting the heap).
        let stride = (Int(width) * bytesPerPixel + 63) & ~63
        let fullRange = ScalerContext.isFullRange(frame)
        if key != (sourceWidth, sourceHeight, sourceFormat, fullRange) || context == nil {
            sws_freeContext(context)
            context = ScalerContext.make(
                sourceWidth: sourceWidth,
                sourceHeight: sourceHeight,
                sourceFormat: sourceFormat,
                sourceFullRange: fullRange,
                width: width,
                height: height,
                format: pixelFormat,
                flags: Int32(SWS_AREA)
            )
            guard context != nil else { throw FFmpegError.unsupported("cannot scale frames of this format") }
            key = (sourceWidth, sourceHeight, sourceFormat, fullRange)
            buffer = [UInt8](repeating: 0, count: stride * (Int(height) + 1))
        }
        try buffer.withUnsafeMutableBufferPointer { target in
            var planes: [UnsafeMutablePointer<UInt8>?] = [target.baseAddress, nil, nil, nil]
            var strides: [Int32] = [Int32(stride), 0, 0, 0]
            let sourcePlanes: [UnsafePointer<UInt8>?] = (0..<4).map { UnsafePointer(drsocial_frame_data(frame, Int32($0))) }
            let sourceStrides: [Int32] = (0..<4).map { drsocial_frame_linesize(frame, Int32($0)) }
            let rows = sws_scale(context, sourcePlanes, sourceStrides, 0, sourceHeight, &planes, &strides)
            guard rows > 0 else { throw FFmpegError.unsupported("scaling a frame failed") }
            try body(Int(width), Int(height), stride, UnsafeBufferPointer(target))
        }
    }
}

/// Decoding alone, for measuring the floor scene detection stands on (`analyze --decode-only`).
public enum DecodeFloor {
    /// Decodes every frame of the best video stream the way analysis does (frame threads, no loop filter),
    /// converting none; returns how many frames there were.
    public static func countFrames(path: String, limits: MediaLimits = MediaLimits()) throws -> Int {
        let input = try MediaInput(path: path, limits: limits)
        input.extendDeadline(seconds: limits.maxDurationSeconds)
        let decoder = try VideoDecoder(input: input)
        var frames = 0
        try decoder.forEachFrame(wants: { _, _ in
            frames += 1
            return false
        }) { _ in true }
        return frames
    }
}
