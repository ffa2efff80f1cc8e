import CFFmpeg
import Contracts
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
        data.append(contentsOf: Array("RIFF".utf8))
        append(36 + payload)
        data.append(contentsOf: Array("WAVEfmt ".utf8))
        append(UInt32(16))
        append(UInt16(1))
        append(UInt16(1))
        append(UInt32(sampleRate))
        append(UInt32(sampleRate * 2))
        append(UInt16(2))
        append(UInt16(16))
        data.append(contentsOf: Array("data".utf8))
        append(payload)
        samples.withUnsafeBytes { data.append(contentsOf: $0) }  // little-endian host
        return data
    }
}

/// Stereo 32-bit float PCM at a fixed rate: what reel composition mixes.
public struct StereoAudio: Sendable {
    public var sampleRate: Int
    public var left: [Float]
    public var right: [Float]

    public init(sampleRate: Int, left: [Float], right: [Float]) {
        precondition(left.count == right.count, "both channels have the same length")
        self.sampleRate = sampleRate
        self.left = left
        self.right = right
    }

    /// Silence of `count` samples.
    public init(sampleRate: Int, silence count: Int) {
        self.init(sampleRate: sampleRate, left: [Float](repeating: 0, count: count), right: [Float](repeating: 0, count: count))
    }

    public var count: Int { left.count }
    public var durationSeconds: Double { Double(left.count) / Double(sampleRate) }
}

/// Decodes a file's best audio stream with libavcodec and resamples it with libswresample: to mono
/// signed 16-bit for speech, or to stereo float for mixing.
public enum AudioDecoder {
    /// Mono signed 16-bit at `sampleRate` (16 kHz for speech).
    public static func decode(path: String, sampleRate: Int = 16_000, limits: MediaLimits, deadlineSeconds: Double) throws -> PCMAudio {
        let channels = try decodeChannels(
            of: Int16.self,
            count: 1,
            format: AV_SAMPLE_FMT_S16,
            chunk: 1 << 16,
            path: path,
            sampleRate: sampleRate,
            limits: limits,
            deadlineSeconds: deadlineSeconds
        )
        return PCMAudio(sampleRate: sampleRate, samples: channels[0])
    }

    /// Stereo float at `sampleRate` (mono sources are copied to both channels).
    public static func decodeStereo(path: String, sampleRate: Int = 48_000, limits: MediaLimits, deadlineSeconds: Double) throws -> StereoAudio {
        var channels = try decodeChannels(
            of: Float.self,
            count: 2,
            format: AV_SAMPLE_FMT_FLTP,
            chunk: 1 << 15,
            path: path,
            sampleRate: sampleRate,
            limits: limits,
            deadlineSeconds: deadlineSeconds
        )
        for index in channels[0].indices where !channels[0][index].isFinite || !channels[1][index].isFinite {
            channels[0][index] = 0
            channels[1][index] = 0
        }
        return StereoAudio(sampleRate: sampleRate, left: channels[0], right: channels[1])
    }

    /// The best audio stream resampled to `count` planar channels of `Sample` (`format` names that sample type to
    /// libswresample) at `sampleRate`, through chunks of at least `chunk` samples; refuses audio longer than the
    /// limits allow.
    private static func decodeChannels<Sample: Numeric & BitwiseCopyable>(
        of sample: Sample.Type,
        count: Int,
        format: AVSampleFormat,
        chunk: Int,
        path: String,
        sampleRate: Int,
        limits: MediaLimits,
        deadlineSeconds: Double
    ) throws -> [[Sample]] {
        var resampler: Resampler?
        var channels = [[Sample]](repeating: [], count: count)
        // One plane per channel, written by libswresample; replaced by larger ones when a frame needs more room.
        var chunks: [UnsafeMutableBufferPointer<Sample>] = []
        func allocateChunks(_ length: Int) {
            chunks.forEach { $0.deallocate() }
            chunks = (0..<count).map { _ in
                let plane = UnsafeMutableBufferPointer<Sample>.allocate(capacity: length)
                plane.initialize(repeating: 0)
                return plane
            }
        }
        allocateChunks(chunk)
        defer { chunks.forEach { $0.deallocate() } }
        let maxSamples = Int(limits.maxDurationSeconds * Double(sampleRate)) + sampleRate
        try forEachFrame(path: path, limits: limits, deadlineSeconds: deadlineSeconds) { codec in
            guard let made = Resampler(from: codec, channels: Int32(count), format: format, rate: Int32(sampleRate)) else {
                throw FFmpegError.unsupported("cannot resample this audio")
            }
            resampler = made
        } body: { codec, source in
            let capacity = source.map { Int($0.pointee.nb_samples) * sampleRate / max(1, Int(codec.pointee.sample_rate)) + 256 } ?? chunks[0].count
            if chunks[0].count < capacity { allocateChunks(capacity) }
            let produced =
                resampler?.convert(into: chunks.map { UnsafeMutableRawPointer($0.baseAddress) }, capacity: chunks[0].count, from: source) ?? 0
            try FFmpegError.check(produced, "resampling audio")
            for (channel, plane) in chunks.enumerated() { channels[channel].append(contentsOf: plane[0..<Int(produced)]) }
            guard channels[0].count <= maxSamples else {
                throw FFmpegError.limit("the audio is longer than \(Int(limits.maxDurationSeconds)) s")
            }
        }
        return channels
    }

    /// Opens the best audio stream, lets `setUp` prepare for the decoder, and calls `body` with every decoded
    /// frame, then once with nil to flush.
    private static func forEachFrame(
        path: String,
        limits: MediaLimits,
        deadlineSeconds: Double,
        setUp: (UnsafeMutablePointer<AVCodecContext>) throws -> Void,
        body: (UnsafeMutablePointer<AVCodecContext>, UnsafeMutablePointer<AVFrame>?) throws -> Void
    ) throws {
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
        defer { avcodec_free_context(&codec) }
        guard let codec else { throw FFmpegError.unsupported("out of memory") }
        try FFmpegError.check(avcodec_parameters_to_context(codec, stream.pointee.codecpar), "reading the audio parameters")
        try FFmpegError.check(avcodec_open2(codec, decoder, nil), "opening the audio decoder")
        guard codec.pointee.sample_rate > 0, codec.pointee.sample_rate <= 768_000 else {
            throw FFmpegError.unsupported("the audio stream has no usable sample rate")
        }
        try setUp(codec)
        try input.decodeFrames(of: index, with: codec, errors: ("decoding audio", "sending audio to the decoder")) { frame in
            try body(codec, frame)
            return true
        }
        try body(codec, nil)
    }
}
