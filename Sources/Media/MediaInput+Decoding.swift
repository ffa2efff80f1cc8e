import CFFmpeg

extension MediaInput {
    /// Feeds the packets of stream `streamIndex` to the opened `codec` and calls `body` with every frame it decodes
    /// (valid only inside the call), then flushes the decoder, until `body` returns false or the stream ends.
    /// `errors` say what was being decoded or sent when libavcodec fails.
    func decodeFrames(
        of streamIndex: Int32,
        with codec: UnsafeMutablePointer<AVCodecContext>,
        errors: (decoding: String, sending: String),
        _ body: (UnsafeMutablePointer<AVFrame>) throws -> Bool
    ) throws {
        guard let format = formatContext else { throw FFmpegError.unsupported("the file is not open") }
        var packet = av_packet_alloc()
        var frame = av_frame_alloc()
        defer {
            av_packet_free(&packet)
            av_frame_free(&frame)
        }
        guard let packet, let frame else { throw FFmpegError.unsupported("out of memory") }
        var keepGoing = true
        func drain() throws {
            while keepGoing {
                let status = avcodec_receive_frame(codec, frame)
                if status == drsocial_averror(EAGAIN) || status == drsocial_averror_eof() { return }
                try FFmpegError.check(status, errors.decoding)
                defer { av_frame_unref(frame) }
                keepGoing = try body(frame)
            }
        }
        while keepGoing {
            let read = av_read_frame(format, packet)
            if read == drsocial_averror_eof() { break }
            if read == drsocial_averror_exit() { throw FFmpegError.limit("decoding took longer than the deadline") }
            try FFmpegError.check(read, "reading a packet")
            defer { av_packet_unref(packet) }
            guard packet.pointee.stream_index == streamIndex else { continue }
            let sent = avcodec_send_packet(codec, packet)
            if sent < 0 && sent != drsocial_averror(EAGAIN) { try FFmpegError.check(sent, errors.sending) }
            try drain()
        }
        if keepGoing {
            _ = avcodec_send_packet(codec, nil)  // flush the frames the decoder (and its threads) still hold
            try drain()
        }
    }
}
