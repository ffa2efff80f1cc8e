/// What one composition made, and the check it passed.
public struct ComposedReel: Sendable, Codable, Equatable {
    public var template: String
    public var platform: String
    /// `stills`, `video`, `text card`, or `card picture` (one JPEG, not a reel).
    public var source: String
    public var width: Int
    public var height: Int
    public var fps: Int
    public var frames: Int
    public var seconds: Double
    public var stills: Int
    public var narrated: Bool
    public var subtitles: [SubtitleLine]
    public var audio: MixReport
    public var fileBytes: Int64
    /// Seconds spent composing (decode, draw, mix, encode).
    public var elapsedSeconds: Double
    /// What a reader of the run page should know (a cut at a scene boundary, …).
    public var notes: [String]
    /// The template's limit in seconds when it shortened the reel (nil: the inputs' own length was kept).
    public var cappedAt: Double?
    /// The template whose render this is, when the file was composed for another platform's template and
    /// shared because it is the same render (nil: composed for this one).
    public var sharedFrom: String?

    /// The `source` of a text card made as one picture: a JPEG, posted as an image.
    public static let cardPicture = "card picture"

    /// Whether the file is a picture (a JPEG) rather than an MP4 reel.
    public var isPicture: Bool { source == Self.cardPicture }

    public init(
        template: String,
        platform: String,
        source: String,
        width: Int,
        height: Int,
        fps: Int,
        frames: Int,
        seconds: Double,
        stills: Int,
        narrated: Bool,
        subtitles: [SubtitleLine],
        audio: MixReport,
        fileBytes: Int64,
        elapsedSeconds: Double,
        notes: [String],
        cappedAt: Double? = nil
    ) {
        self.template = template
        self.platform = platform
        self.source = source
        self.width = width
        self.height = height
        self.fps = fps
        self.frames = frames
        self.seconds = seconds
        self.stills = stills
        self.narrated = narrated
        self.subtitles = subtitles
        self.audio = audio
        self.fileBytes = fileBytes
        self.elapsedSeconds = elapsedSeconds
        self.notes = notes
        self.cappedAt = cappedAt
    }
}
