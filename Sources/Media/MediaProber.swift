import CFFmpeg
public import Contracts

/// Probes files through libavformat, in this process. Hostile files should go through `MediaWorkerClient`,
/// which runs this in a child process with CPU and memory limits.
public struct MediaProber: Sendable {
    public let limits: MediaLimits

    public init(limits: MediaLimits = .init()) {
        self.limits = limits
        Self.quietLibraryLogs()
    }

    /// Opens `path`, reads its streams and checks the limits.
    public func probe(path: String) throws -> ProbeResult {
        let input = try MediaInput(path: path, limits: limits)
        let result = input.probe()
        if result.streams.isEmpty { throw FFmpegError.unsupported("the file has no audio, video or image stream") }
        if let duration = result.durationSeconds, duration > limits.maxDurationSeconds {
            throw FFmpegError.limit(
                "the file claims \(Int(duration)) s; at most \(Int(limits.maxDurationSeconds)) s are accepted"
            )
        }
        for stream in result.streams {
            if let width = stream.width, let height = stream.height {
                if width > limits.maxDimension || height > limits.maxDimension {
                    throw FFmpegError.limit("the picture is \(width)×\(height); at most \(limits.maxDimension) px a side are accepted")
                }
                if width <= 0 || height <= 0 {
                    throw FFmpegError.unsupported("the picture size could not be read (it may exceed \(limits.maxDimension) px a side)")
                }
            }
        }
        return result
    }

    /// Library chatter stays out of our logs; errors we care about come back as return codes.
    private static func quietLibraryLogs() {
        av_log_set_level(AV_LOG_QUIET)
    }
}
