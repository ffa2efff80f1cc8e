public import Pipeline

/// What probing found in a file: the `probe` stage's output.
public struct ProbeResult: StageOutput, Equatable {
    public static let producer = "probe"

    /// One stream of the container.
    public struct Stream: Sendable, Codable, Equatable {
        public var index: Int
        public var type: String
        public var codec: String
        /// A video's size as shown: after the stream's display matrix turns it (phones store portrait video as
        /// landscape frames). A JPEG's EXIF orientation is applied when it is decoded, not reported here.
        public var width: Int?
        public var height: Int?
        /// The clockwise quarter turn (90, 180, 270) the stream's display matrix asks for; nil for none.
        public var rotation: Int?
        public var framesPerSecond: Double?
        public var sampleRate: Int?
        public var channels: Int?
        public var durationSeconds: Double?
        public var bitRate: Int?

        public init(index: Int, type: String, codec: String) {
            self.index = index
            self.type = type
            self.codec = codec
        }
    }

    /// The demuxer's name (`mov,mp4,m4a,3gp,3g2,mj2`, `png_pipe`).
    public var container: String
    /// `video`, `audio` or `image`.
    public var kind: String
    public var durationSeconds: Double?
    public var bitRate: Int?
    public var streams: [Stream]

    public init(container: String, kind: String, durationSeconds: Double? = nil, bitRate: Int? = nil, streams: [Stream]) {
        self.container = container
        self.kind = kind
        self.durationSeconds = durationSeconds
        self.bitRate = bitRate
        self.streams = streams
    }

    /// The first video stream, if any.
    public var video: Stream? { streams.first { $0.type == "video" } }
    /// The first audio stream, if any.
    public var audio: Stream? { streams.first { $0.type == "audio" } }
}
