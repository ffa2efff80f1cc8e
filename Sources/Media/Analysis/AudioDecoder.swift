import CFFmpeg
public import Foundation

/// Mono 16-bit PCM at a fixed rate: what speech recognisers take.
public struct PCMAudio: Sendable, Equatable {
    public var sampleRate: Int
    public var samples: [Int16]

    public var durationSeconds: Double { Double(samples.count) / Double(sampleRate) }

    /// A canonical 44-byte-header WAV file of these samples.
    public func wavData() -> Data {
        var data = Data(capacity: 44 + 2 * samples.count)
        func append<T: FixedWidthInteger>(_ value: T) { withUnsafeBytes(of: value.littleEndian) { data.append(contentsOf: $0) } }
        let payload = UInt32(2 * samples.count)
        data.append(contentsOf: Array("RIFF".utf8)); append(36 + payload)
        data.append(contentsOf: Array("WAVEfmt ".utf8)); append(UInt32(16)); append(UInt16(1)); append(UInt16(1))
        append(UInt32(sampleRate)); append(UInt32(sampleRate * 2)); append(UInt16(2)); append(UInt16(16))
        data.append(contentsOf: Array("data".utf8)); append(payload)
        samples.withUnsafeBytes { data.append(contentsOf: $0) }  // little-endian host
        return data
    }
}

/// Decodes a file's best audio stream with libavcodec and resamples it with libswresample to mono
/// signed 16-bit at `sampleRate` (16 kHz for speech).
public enum AudioDecoder {
    public static func decode(path: String, sampleRate: Int = 16_000, limits: MediaLimits, deadlineSeconds: Double) throws -> PCMAudio {
        let probe = try MediaProber(limits: limits).probe(path: path)
        guard probe.audio != nil else { throw FFmpegError.unsupported("the file has no audio stream") }
        let input = try MediaInput(path: path, limits: limits)
        input.extendDeadline(seconds: deadlineSeconds)
        guard let format = input.formatContext else { throw FFmpegError.unsupported("the file is not open") }
        var decoder: UnsafePointer<AVCodec>?
        let index = av_find_best_stream(format, AVMEDIA_TYPE_AUDIO, -1, -1, &decoder, 0)
        guard index >= 0, let decoder, let stream = format.pointee.streams[Int(index)] else {
            throw FFmpegError.unsupported("the file has no decodable audio stream")
        }
        var codec = avcodec_alloc_context3(decoder)
        var packet = av_packet_alloc()
        var frame = av_frame_alloc()
        var resampler: OpaquePointer?
        defer {
            avcodec_free_context(&codec)
            av_packet_free(&packet)
            av_frame_free(&frame)
            swr_free(&resampler)
        }
        guard let codec, let packet, let frame else { throw FFmpegError.unsupported("out of memory") }
        try FFmpegError.check(avcodec_parameters_to_context(codec, stream.pointee.codecpar), "reading the audio parameters")
        try FFmpegError.check(avcodec_open2(codec, decoder, nil), "opening the audio decoder")
        guard codec.pointee.sample_rate > 0, codec.pointee.sample_rate <= 768_000 else {
            throw FFmpegError.unsupported("the audio stream has no usable sample rate")
        }
        guard let made = drsocial_mono_s16_resampler(codec, Int32(sampleRate)) else {
            throw FFmpegError.unsupported("cannot resample this audio")
        }
        resampler = made
        let maxSamples = Int(limits.maxDurationSeconds * Double(sampleRate)) + sampleRate
        var samples: [Int16] = []
        var chunk = [Int16](repeating: 0, count: 1 << 16)

        func take(_ source: UnsafeMutablePointer<AVFrame>?) throws {
            let capacity = source.map { Int($0.pointee.nb_samples) * sampleRate / max(1, Int(codec.pointee.sample_rate)) + 256 } ?? chunk.count
            if chunk.count < capacity { chunk = [Int16](repeating: 0, count: capacity) }
            let produced = chunk.withUnsafeMutableBufferPointer { drsocial_resample_s16(made, $0.baseAddress, Int32($0.count), source) }
            try FFmpegError.check(produced, "resampling audio")
            samples.append(contentsOf: chunk[0..<Int(produced)])
            guard samples.count <= maxSamples else {
                throw FFmpegError.limit("the audio is longer than \(Int(limits.maxDurationSeconds)) s")
            }
        }
        func drain() throws {
            while true {
                let status = avcodec_receive_frame(codec, frame)
                if status == drsocial_averror(EAGAIN) || status == drsocial_averror_eof() { return }
                try FFmpegError.check(status, "decoding audio")
                defer { av_frame_unref(frame) }
                try take(frame)
            }
        }
        while true {
            let read = av_read_frame(format, packet)
            if read == drsocial_averror_eof() { break }
            if read == drsocial_averror_exit() { throw FFmpegError.limit("decoding took longer than the deadline") }
            try FFmpegError.check(read, "reading a packet")
            defer { av_packet_unref(packet) }
            guard packet.pointee.stream_index == index else { continue }
            let sent = avcodec_send_packet(codec, packet)
            if sent < 0 && sent != drsocial_averror(EAGAIN) { try FFmpegError.check(sent, "sending audio to the decoder") }
            try drain()
        }
        _ = avcodec_send_packet(codec, nil)
        try drain()
        try take(nil)
        return PCMAudio(sampleRate: sampleRate, samples: samples)
    }
}
