/// What a file may claim before we refuse it. Checked by the demuxer (probing, pixels, streams, a wall-clock
/// deadline) and again after probing (duration, dimensions).
public struct MediaLimits: Sendable, Codable, Equatable {
    /// Longest accepted duration in seconds (15 min).
    public var maxDurationSeconds: Double = 900
    /// Largest accepted width or height in pixels.
    public var maxDimension = 8192
    /// Most streams a container may have.
    public var maxStreams = 8
    /// Bytes the demuxer may read to detect the format and streams.
    public var probeBytes = 10_000_000
    /// Wall-clock seconds an open-and-probe may take.
    public var deadlineSeconds: Double = 20

    /// The defaults above, changed by `adjust`: `MediaLimits { $0.maxDimension = 4096 }`.
    public init(_ adjust: (inout Self) -> Void = { _ in }) { adjust(&self) }

    /// Demuxers we accept. An HLS playlist renamed `.mp4` still probes as HLS: only this list stops it.
    public static let formatWhitelist = [
        "mov", "mp4", "m4a", "3gp", "3g2", "mj2", "matroska", "webm", "avi", "mpegts", "flv",
        "mp3", "wav", "ogg", "flac", "aac", "image2", "jpeg_pipe", "png_pipe", "webp_pipe", "gif", "bmp_pipe",
    ].joined(separator: ",")
}
