import CFFmpeg
public import Foundation

/// Encodes pictures as baseline JPEG with libavcodec's MJPEG encoder, scaling (or widening a picture's range)
/// with libswscale on the way.
public enum JPEGEncoder {
    /// Encodes `image`, scaled down to at most `maxWidth` pixels wide (never up), at `quality` 2 (best) … 31.
    public static func encode(_ image: RGBImage, maxWidth: Int? = nil, quality: Int = 3) throws -> Data {
        var width = image.width
        var height = image.height
        if let maxWidth, maxWidth < width {
            width = maxWidth
            height = max(2, (image.height * maxWidth + image.width / 2) / image.width)
        }
        width -= width % 2
        height -= height % 2
        guard width >= 2, height >= 2 else { throw FFmpegError.unsupported("the picture is too small to encode") }
        return try encode(width: width, height: height, quality: quality) { frame in
            try convert(image, into: frame, width: width, height: height)
        }
    }

    /// Encodes a limited-range 4:2:0 picture (a composed frame) at its own size, at `quality` 2 (best) … 31.
    public static func encode(_ picture: YUVPicture, quality: Int = 3) throws -> Data {
        av_log_set_level(AV_LOG_QUIET)  // swscale's note on the full-range format JPEG needs stays out of our output
        return try encode(width: picture.width, height: picture.height, quality: quality) { frame in
            let scaler = try converter(from: AV_PIX_FMT_YUV420P, picture.width, picture.height, to: picture.width, picture.height, flags: SWS_POINT)
            defer { sws_freeContext(scaler) }
            let rows = picture.luma.withUnsafeBufferPointer { luma in
                picture.blue.withUnsafeBufferPointer { blue in
                    picture.red.withUnsafeBufferPointer { red -> Int32 in
                        let sourcePlanes: [UnsafePointer<UInt8>?] = [luma.baseAddress, blue.baseAddress, red.baseAddress, nil]
                        let sourceStrides: [Int32] = [Int32(picture.width), Int32(picture.chromaWidth), Int32(picture.chromaWidth), 0]
                        let targetPlanes: [UnsafeMutablePointer<UInt8>?] = (0..<4).map { drsocial_frame_data(frame, Int32($0)) }
                        let targetStrides: [Int32] = (0..<4).map { drsocial_frame_linesize(frame, Int32($0)) }
                        return sws_scale(scaler, sourcePlanes, sourceStrides, 0, Int32(picture.height), targetPlanes, targetStrides)
                    }
                }
            }
            guard rows > 0 else { throw FFmpegError.unsupported("converting the picture for JPEG failed") }
        }
    }

    /// One baseline JPEG of `width × height`: `fill` writes the full-range 4:2:0 frame.
    private static func encode(
        width: Int,
        height: Int,
        quality: Int,
        fill: (UnsafeMutablePointer<AVFrame>) throws -> Void
    ) throws -> Data {
        guard let encoder = avcodec_find_encoder(AV_CODEC_ID_MJPEG) else {
            throw FFmpegError.unsupported("libavcodec has no MJPEG encoder")
        }
        var context = avcodec_alloc_context3(encoder)
        var frame = av_frame_alloc()
        var packet = av_packet_alloc()
        defer {
            avcodec_free_context(&context)
            av_frame_free(&frame)
            av_packet_free(&packet)
        }
        guard let context, let frame, let packet else { throw FFmpegError.unsupported("out of memory") }
        context.pointee.width = Int32(width)
        context.pointee.height = Int32(height)
        context.pointee.pix_fmt = AV_PIX_FMT_YUVJ420P
        context.pointee.time_base = AVRational(num: 1, den: 25)
        context.pointee.flags |= Int32(AV_CODEC_FLAG_QSCALE)
        context.pointee.global_quality = Int32(FF_QP2LAMBDA) * Int32(min(max(quality, 2), 31))
        try FFmpegError.check(avcodec_open2(context, encoder, nil), "opening the JPEG encoder")

        frame.pointee.width = Int32(width)
        frame.pointee.height = Int32(height)
        frame.pointee.format = AV_PIX_FMT_YUVJ420P.rawValue
        frame.pointee.quality = context.pointee.global_quality
        try FFmpegError.check(av_frame_get_buffer(frame, 0), "allocating a picture")
        try fill(frame)

        try FFmpegError.check(avcodec_send_frame(context, frame), "encoding a JPEG")
        try FFmpegError.check(avcodec_send_frame(context, nil), "finishing a JPEG")
        try FFmpegError.check(avcodec_receive_packet(context, packet), "receiving a JPEG")
        defer { av_packet_unref(packet) }
        return Data(bytes: packet.pointee.data, count: Int(packet.pointee.size))
    }

    /// A libswscale context from `format` at `width × height` to full-range 4:2:0 at `toWidth × toHeight`.
    private static func converter(
        from format: AVPixelFormat,
        _ width: Int,
        _ height: Int,
        to toWidth: Int,
        _ toHeight: Int,
        flags: Int32
    ) throws -> OpaquePointer {
        let scaler = sws_getContext(
            Int32(width), Int32(height), format, Int32(toWidth), Int32(toHeight), AV_PIX_FMT_YUVJ420P, flags, nil, nil, nil
        )
        guard let scaler else { throw FFmpegError.unsupported("cannot convert the picture for JPEG") }
        return scaler
    }

    private static func convert(_ image: RGBImage, into frame: UnsafeMutablePointer<AVFrame>, width: Int, height: Int) throws {
        let scaler = try converter(from: AV_PIX_FMT_RGB24, image.width, image.height, to: width, height, flags: SWS_AREA)
        defer { sws_freeContext(scaler) }
        let rows = image.pixels.withUnsafeBufferPointer { source -> Int32 in
            let sourcePlanes: [UnsafePointer<UInt8>?] = [source.baseAddress, nil, nil, nil]
            let sourceStrides: [Int32] = [Int32(image.width * 3), 0, 0, 0]
            let targetPlanes: [UnsafeMutablePointer<UInt8>?] = (0..<4).map { drsocial_frame_data(frame, Int32($0)) }
            let targetStrides: [Int32] = (0..<4).map { drsocial_frame_linesize(frame, Int32($0)) }
            return sws_scale(scaler, sourcePlanes, sourceStrides, 0, Int32(image.height), targetPlanes, targetStrides)
        }
        guard rows > 0 else { throw FFmpegError.unsupported("converting the picture for JPEG failed") }
    }
}
