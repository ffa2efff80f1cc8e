import CFFmpeg
import Contracts

/// An opened media file: the one owner of an `AVFormatContext`, opened defensively.
///
/// The file is opened by us with only the `file` protocol allowed, nested opens (playlists, references) are refused, only whitelisted
/// demuxers run, probing is bounded, and a wall-clock deadline interrupts a demuxer that spins.
final class MediaInput {
    private var context: UnsafeMutablePointer<AVFormatContext>?
    private var io: UnsafeMutablePointer<AVIOContext>?
    private let deadline: UnsafeMutablePointer<Int64>

    init(path: String, limits: MediaLimits) throws {
        deadline = .allocate(capacity: 1)
        deadline.initialize(to: Self.monotonicMicros() + Int64(limits.deadlineSeconds * 1_000_000))
        guard let allocated = avformat_alloc_context() else {
            deadline.deallocate()
            throw FFmpegError.unsupported("out of memory allocating a format context")
        }
        // libavformat polls this while it blocks or spins; the opaque is the deadline (0 = none).
        allocated.pointee.interrupt_callback.callback = { opaque in
            guard let deadline = opaque?.assumingMemoryBound(to: Int64.self).pointee, deadline != 0 else { return 0 }
            return MediaInput.monotonicMicros() > deadline ? 1 : 0
        }
        allocated.pointee.interrupt_callback.opaque = UnsafeMutableRawPointer(deadline)
        let ioStatus = drsocial_open_file_io(allocated, path)
        guard ioStatus >= 0 else {
            avformat_free_context(allocated)
            deadline.deallocate()
            throw FFmpegError.openFailed(ioStatus)
        }
        io = allocated.pointee.pb
        var options: OpaquePointer?
        av_dict_set(&options, "protocol_whitelist", "file", 0)
        av_dict_set(&options, "format_whitelist", MediaLimits.formatWhitelist, 0)
        av_dict_set(&options, "probesize", String(limits.probeBytes), 0)
        av_dict_set(&options, "analyzeduration", String(10_000_000), 0)
        av_dict_set(&options, "max_streams", String(limits.maxStreams), 0)
        defer { av_dict_free(&options) }
        var opened: UnsafeMutablePointer<AVFormatContext>? = allocated
        let status = avformat_open_input(&opened, path, nil, &options)
        guard status >= 0 else {
            // avformat_open_input frees the context on failure, but not our custom IO.
            drsocial_close_file_io(&io)
            deadline.deallocate()
            throw FFmpegError.openFailed(status)
        }
        context = opened
        do {
            try findStreamInfo(limits: limits)
        } catch {
            avformat_close_input(&context)
            drsocial_close_file_io(&io)
            deadline.deallocate()
            throw error
        }
    }

    deinit {
        if context != nil {
            avformat_close_input(&context)
            drsocial_close_file_io(&io)
            deadline.deallocate()
        }
    }

    private func findStreamInfo(limits: MediaLimits) throws {
        guard let context else { return }
        let count = Int(context.pointee.nb_streams)
        guard count <= limits.maxStreams else {
            throw FFmpegError.limit("the file has \(count) streams; at most \(limits.maxStreams) are accepted")
        }
        // Per-stream decoder options: refuse frames larger than the dimension limit before decoding them.
        let maxPixels = Int64(limits.maxDimension) * Int64(limits.maxDimension)
        var streamOptions = [OpaquePointer?](repeating: nil, count: max(count, 1))
        for index in 0..<count {
            av_dict_set(&streamOptions[index], "max_pixels", String(maxPixels), 0)
        }
        defer { for index in 0..<count { av_dict_free(&streamOptions[index]) } }
        let status = streamOptions.withUnsafeMutableBufferPointer { buffer in
            avformat_find_stream_info(context, buffer.baseAddress)
        }
        try FFmpegError.check(status, "reading stream information")
    }

    /// The opened container, for decoders that read from it. Owned by this object: never freed elsewhere.
    var formatContext: UnsafeMutablePointer<AVFormatContext>? { context }

    /// Gives reading and decoding `seconds` more from now before the interrupt callback stops the demuxer.
    func extendDeadline(seconds: Double) {
        deadline.pointee = Self.monotonicMicros() + Int64(seconds * 1_000_000)
    }

    /// The monotonic clock in microseconds, what deadlines are measured in.
    static func monotonicMicros() -> Int64 {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return Int64(now.tv_sec) * 1_000_000 + Int64(now.tv_nsec) / 1000
    }

    /// Reads what the container and its streams say.
    func probe() -> ProbeResult {
        guard let context else { return ProbeResult(container: "", kind: "unknown", streams: []) }
        let format = context.pointee
        let container = format.iformat.map { String(cString: $0.pointee.name) } ?? "unknown"
        var streams: [ProbeResult.Stream] = []
        for index in 0..<Int(format.nb_streams) {
            guard let stream = format.streams[index], let parameters = stream.pointee.codecpar else { continue }
            let codecpar = parameters.pointee
            let typeName = av_get_media_type_string(codecpar.codec_type).map { String(cString: $0) } ?? "unknown"
            let codecName = String(cString: avcodec_get_name(codecpar.codec_id))
            var entry = ProbeResult.Stream(index: index, type: typeName, codec: codecName)
            if codecpar.codec_type == AVMEDIA_TYPE_VIDEO {
                let rotation = Int(drsocial_stream_rotation(stream))
                let sideways = rotation == 90 || rotation == 270
                entry.width = Int(sideways ? codecpar.height : codecpar.width)
                entry.height = Int(sideways ? codecpar.width : codecpar.height)
                if rotation > 0 { entry.rotation = rotation }
                let rate = stream.pointee.avg_frame_rate.num > 0 ? stream.pointee.avg_frame_rate : stream.pointee.r_frame_rate
                if rate.num > 0, rate.den > 0 { entry.framesPerSecond = Double(rate.num) / Double(rate.den) }
            } else if codecpar.codec_type == AVMEDIA_TYPE_AUDIO {
                entry.sampleRate = Int(codecpar.sample_rate)
                entry.channels = Int(codecpar.ch_layout.nb_channels)
            }
            if stream.pointee.duration != drsocial_nopts_value(), stream.pointee.duration > 0 {
                let base = stream.pointee.time_base
                entry.durationSeconds = Double(stream.pointee.duration) * Double(base.num) / Double(base.den)
            }
            if codecpar.bit_rate > 0 { entry.bitRate = Int(codecpar.bit_rate) }
            streams.append(entry)
        }
        var duration: Double?
        if format.duration != drsocial_nopts_value(), format.duration > 0 {
            duration = Double(format.duration) / Double(drsocial_time_base())
        }
        let isImage = container.hasSuffix("_pipe") || container == "image2" || container == "gif"
        let kind =
            isImage ? "image" : (streams.contains { $0.type == "video" } ? "video" : (streams.contains { $0.type == "audio" } ? "audio" : "unknown"))
        return ProbeResult(
            container: container,
            kind: kind,
            durationSeconds: isImage ? nil : duration,
            bitRate: format.bit_rate > 0 ? Int(format.bit_rate) : nil,
            streams: streams
        )
    }
}
