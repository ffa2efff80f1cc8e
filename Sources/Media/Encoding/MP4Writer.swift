import CFFmpeg

/// How the H.264 and AAC encoders are set up (from a reel template).
public struct EncoderSettings: Sendable, Equatable {
    /// x264 preset (`veryfast` … `slow`).
    public var preset: String
    /// x264 constant rate factor (lower is better; 18–28 is usual).
    public var crf: Int
    /// Peak video bitrate in kbit/s (VBV), or nil for none.
    public var maxBitrateKbps: Int?
    /// AAC-LC bitrate in kbit/s.
    public var audioBitrateKbps: Int
    /// Audio sample rate in Hz.
    public var audioSampleRate: Int

    public init(preset: String = "veryfast", crf: Int = 21, maxBitrateKbps: Int? = 8000, audioBitrateKbps: Int = 160, audioSampleRate: Int = 48_000) {
        self.preset = preset
        self.crf = crf
        self.maxBitrateKbps = maxBitrateKbps
        self.audioBitrateKbps = audioBitrateKbps
        self.audioSampleRate = audioSampleRate
    }
}

/// Writes H.264 (libx264) video and AAC-LC stereo audio into an MP4 whose moov atom comes first (faststart).
/// Feed pictures in order with `append(_:)` and audio with `append(left:right:)` as the video advances (the
/// muxer interleaves); `finish()` flushes both encoders and writes the index.
public final class MP4Writer {
    public let width: Int
    public let height: Int
    public let framesPerSecond: Int
    private var output: UnsafeMutablePointer<AVFormatContext>?
    private var video: UnsafeMutablePointer<AVCodecContext>?
    private var audio: UnsafeMutablePointer<AVCodecContext>?
    private var videoStream: UnsafeMutablePointer<AVStream>
    private var audioStream: UnsafeMutablePointer<AVStream>
    private var picture: UnsafeMutablePointer<AVFrame>?
    private var sound: UnsafeMutablePointer<AVFrame>?
    private var packet: UnsafeMutablePointer<AVPacket>?
    private var framesWritten: Int64 = 0
    private var samplesWritten: Int64 = 0
    private var pendingLeft: [Float] = []
    private var pendingRight: [Float] = []
    private var finished = false

    public init(path: String, width: Int, height: Int, framesPerSecond: Int, settings: EncoderSettings) throws {
        self.width = width
        self.height = height
        self.framesPerSecond = framesPerSecond
        av_log_set_level(AV_LOG_QUIET)  // encoder banners stay out of our output; failures come back as codes
        var context: UnsafeMutablePointer<AVFormatContext>?
        try FFmpegError.check(avformat_alloc_output_context2(&context, nil, "mp4", path), "creating the MP4 file")
        guard let context else { throw FFmpegError.unsupported("out of memory") }
        output = context
        guard let x264 = avcodec_find_encoder_by_name("libx264") else {
            avformat_free_context(context)
            throw FFmpegError.unsupported("libavcodec was built without libx264")
        }
        guard let aac = avcodec_find_encoder(AV_CODEC_ID_AAC) else {
            avformat_free_context(context)
            throw FFmpegError.unsupported("libavcodec has no AAC encoder")
        }
        guard let videoStream = avformat_new_stream(context, nil), let audioStream = avformat_new_stream(context, nil) else {
            avformat_free_context(context)
            throw FFmpegError.unsupported("out of memory")
        }
        self.videoStream = videoStream
        self.audioStream = audioStream
        do {
            try openVideo(x264, settings: settings)
            try openAudio(aac, settings: settings)
            try FFmpegError.check(avio_open(&context.pointee.pb, path, AVIO_FLAG_WRITE), "opening \(path) for writing")
            var options: OpaquePointer?
            av_dict_set(&options, "movflags", "+faststart", 0)
            defer { av_dict_free(&options) }
            try FFmpegError.check(avformat_write_header(context, &options), "writing the MP4 header")
            picture = av_frame_alloc()
            sound = av_frame_alloc()
            packet = av_packet_alloc()
            guard let picture, let sound, packet != nil else { throw FFmpegError.unsupported("out of memory") }
            picture.pointee.width = Int32(width)
            picture.pointee.height = Int32(height)
            picture.pointee.format = AV_PIX_FMT_YUV420P.rawValue
            try FFmpegError.check(av_frame_get_buffer(picture, 0), "allocating a picture")
            sound.pointee.nb_samples = audio!.pointee.frame_size
            sound.pointee.format = AV_SAMPLE_FMT_FLTP.rawValue
            sound.pointee.sample_rate = audio!.pointee.sample_rate
            av_channel_layout_uninit(&sound.pointee.ch_layout)
            av_channel_layout_default(&sound.pointee.ch_layout, 2)
            try FFmpegError.check(av_frame_get_buffer(sound, 0), "allocating audio")
        } catch {
            release()
            throw error
        }
    }

    deinit { release() }

    private func release() {
        avcodec_free_context(&video)
        avcodec_free_context(&audio)
        av_frame_free(&picture)
        av_frame_free(&sound)
        av_packet_free(&packet)
        if let output {
            if output.pointee.pb != nil { avio_closep(&output.pointee.pb) }
            avformat_free_context(output)
            self.output = nil
        }
    }

    private func openVideo(_ encoder: UnsafePointer<AVCodec>, settings: EncoderSettings) throws {
        guard let output, let context = avcodec_alloc_context3(encoder) else { throw FFmpegError.unsupported("out of memory") }
        video = context
        context.pointee.width = Int32(width)
        context.pointee.height = Int32(height)
        context.pointee.pix_fmt = AV_PIX_FMT_YUV420P
        context.pointee.time_base = AVRational(num: 1, den: Int32(framesPerSecond))
        context.pointee.framerate = AVRational(num: Int32(framesPerSecond), den: 1)
        context.pointee.gop_size = Int32(framesPerSecond * 2)
        context.pointee.thread_count = 0
        context.pointee.color_range = AVCOL_RANGE_MPEG
        context.pointee.colorspace = AVCOL_SPC_SMPTE170M
        context.pointee.color_primaries = AVCOL_PRI_SMPTE170M
        context.pointee.color_trc = AVCOL_TRC_SMPTE170M
        if let maxRate = settings.maxBitrateKbps {
            context.pointee.rc_max_rate = Int64(maxRate) * 1000
            context.pointee.rc_buffer_size = Int32(maxRate * 2000)
        }
        if output.pointee.oformat.pointee.flags & AVFMT_GLOBALHEADER != 0 { context.pointee.flags |= Int32(AV_CODEC_FLAG_GLOBAL_HEADER) }
        var options: OpaquePointer?
        av_dict_set(&options, "preset", settings.preset, 0)
        av_dict_set(&options, "crf", String(settings.crf), 0)
        av_dict_set(&options, "profile", "high", 0)
        defer { av_dict_free(&options) }
        try FFmpegError.check(avcodec_open2(context, encoder, &options), "opening the H.264 encoder")
        try FFmpegError.check(avcodec_parameters_from_context(videoStream.pointee.codecpar, context), "describing the video stream")
        videoStream.pointee.time_base = context.pointee.time_base
        videoStream.pointee.avg_frame_rate = context.pointee.framerate
    }

    private func openAudio(_ encoder: UnsafePointer<AVCodec>, settings: EncoderSettings) throws {
        guard let output, let context = avcodec_alloc_context3(encoder) else { throw FFmpegError.unsupported("out of memory") }
        audio = context
        context.pointee.sample_fmt = AV_SAMPLE_FMT_FLTP
        context.pointee.sample_rate = Int32(settings.audioSampleRate)
        av_channel_layout_uninit(&context.pointee.ch_layout)
        av_channel_layout_default(&context.pointee.ch_layout, 2)
        context.pointee.bit_rate = Int64(settings.audioBitrateKbps) * 1000
        context.pointee.time_base = AVRational(num: 1, den: Int32(settings.audioSampleRate))
        if output.pointee.oformat.pointee.flags & AVFMT_GLOBALHEADER != 0 { context.pointee.flags |= Int32(AV_CODEC_FLAG_GLOBAL_HEADER) }
        try FFmpegError.check(avcodec_open2(context, encoder, nil), "opening the AAC encoder")
        try FFmpegError.check(avcodec_parameters_from_context(audioStream.pointee.codecpar, context), "describing the audio stream")
        audioStream.pointee.time_base = context.pointee.time_base
    }

    /// Seconds of video written so far.
    public var videoSeconds: Double { Double(framesWritten) / Double(framesPerSecond) }

    /// Encodes the next picture (must match the writer's size).
    public func append(_ yuv: YUVPicture) throws {
        guard let picture, let video else { throw FFmpegError.unsupported("the writer is closed") }
        precondition(yuv.width == width && yuv.height == height, "picture size differs from the stream's")
        try FFmpegError.check(av_frame_make_writable(picture), "preparing a picture")
        for plane in YUVPicture.Plane.allCases {
            Self.copy(
                yuv[keyPath: plane.samples],
                into: picture,
                plane: Int32(plane.rawValue),
                width: yuv.width(of: plane),
                height: yuv.height(of: plane)
            )
        }
        picture.pointee.pts = framesWritten
        framesWritten += 1
        try FFmpegError.check(avcodec_send_frame(video, picture), "encoding a picture")
        try drain(video, stream: videoStream)
    }

    private static func copy(_ plane: [UInt8], into frame: UnsafeMutablePointer<AVFrame>, plane index: Int32, width: Int, height: Int) {
        guard let target = drsocial_frame_data(frame, index) else { return }
        let stride = Int(drsocial_frame_linesize(frame, index))
        plane.withUnsafeBufferPointer { source in
            for row in 0..<height {
                (target + row * stride).update(from: source.baseAddress! + row * width, count: width)
            }
        }
    }

    /// Queues stereo samples at the encoder's rate; whole AAC frames are encoded as they fill.
    public func append<L: Collection<Float>, R: Collection<Float>>(left: L, right: R) throws {
        pendingLeft.append(contentsOf: left)
        pendingRight.append(contentsOf: right)
        try encodeWholeAudioFrames(flush: false)
    }

    private func encodeWholeAudioFrames(flush: Bool) throws {
        guard let audio, let sound else { return }
        let frameSize = Int(audio.pointee.frame_size)
        var offset = 0
        while pendingLeft.count - offset >= frameSize || (flush && pendingLeft.count > offset) {
            let count = min(frameSize, pendingLeft.count - offset)
            try FFmpegError.check(av_frame_make_writable(sound), "preparing audio")
            sound.pointee.nb_samples = Int32(count)
            for (channel, samples) in [pendingLeft, pendingRight].enumerated() {
                let target = UnsafeMutableRawPointer(drsocial_frame_data(sound, Int32(channel))!).assumingMemoryBound(to: Float.self)
                samples.withUnsafeBufferPointer { target.update(from: $0.baseAddress! + offset, count: count) }
            }
            sound.pointee.pts = samplesWritten
            samplesWritten += Int64(count)
            offset += count
            try FFmpegError.check(avcodec_send_frame(audio, sound), "encoding audio")
            try drain(audio, stream: audioStream)
        }
        pendingLeft.removeFirst(offset)
        pendingRight.removeFirst(offset)
    }

    private func drain(_ codec: UnsafeMutablePointer<AVCodecContext>, stream: UnsafeMutablePointer<AVStream>) throws {
        guard let output, let packet else { return }
        while true {
            let status = avcodec_receive_packet(codec, packet)
            if status == drsocial_averror(EAGAIN) || status == drsocial_averror_eof() { return }
            try FFmpegError.check(status, "receiving an encoded packet")
            av_packet_rescale_ts(packet, codec.pointee.time_base, stream.pointee.time_base)
            packet.pointee.stream_index = stream.pointee.index
            try FFmpegError.check(av_interleaved_write_frame(output, packet), "writing a packet")
        }
    }

    /// Flushes both encoders and writes the index (moved to the front of the file).
    public func finish() throws {
        guard !finished, let output, let video, let audio else { return }
        finished = true
        try encodeWholeAudioFrames(flush: true)
        try FFmpegError.check(avcodec_send_frame(video, nil), "flushing the H.264 encoder")
        try drain(video, stream: videoStream)
        try FFmpegError.check(avcodec_send_frame(audio, nil), "flushing the AAC encoder")
        try drain(audio, stream: audioStream)
        try FFmpegError.check(av_write_trailer(output), "writing the MP4 index")
        avio_closep(&output.pointee.pb)
    }
}
