/// What a file may claim before we refuse it. Checked by the demuxer (probing, pixels, streams, a wall-clock
/// deadline) and again after probing (duration, dimensions).
public struct MediaLimits: Sendable, Codable, Equatable {
    /// Longest accepted duration in seconds. Default 900 (15 min).
    public var maxDurationSeconds: Double
    /// Largest accepted width or height in pixels. Default 8192.
    public var maxDimension: Int
    /// Most streams a container may have. Default 8.
    public var maxStreams: Int
    /// Bytes the demuxer may read to detect the format and streams. Default 10 MB.
    public var probeBytes: Int
    /// Wall-clock seconds an open-and-probe may take. Default 20.
    public var deadlineSeconds: Double

    public init(
        maxDurationSeconds: Double = 900,
        maxDimension: Int = 8192,
        maxStreams: Int = 8,
        probeBytes: Int = 10_000_000,
        deadlineSeconds: Double = 20
    ) {
        self.maxDurationSeconds = maxDurationSeconds
        self.maxDimension = maxDimension
        self.maxStreams = maxStreams
        self.probeBytes = probeBytes
        self.deadlineSeconds = deadlineSeconds
    }

    /// Demuxers we accept. An HLS playlist renamed `.mp4` still probes as HLS: only this list stops it.
    public static let formatWhitelist = [
        "mov", "mp4", "m4a", "3gp", "3g2", "mj2", "matroska", "webm", "avi", "mpegts", "flv",
        "mp3", "wav", "ogg", "flac", "aac", "image2", "jpeg_pipe", "png_pipe", "webp_pipe", "gif", "bmp_pipe",
    ].joined(separator: ",")
}
