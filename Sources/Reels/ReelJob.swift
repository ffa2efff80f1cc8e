import Contracts
public import Domain
import Foundation
public import Media
public import Pipeline

/// Everything one composition needs, as JSON for the media worker (`media-worker compose --job …`).
public struct ReelJob: Sendable, Codable {
    public var template: ReelTemplate
    public var platform: PlatformPreset
    /// Pictures for a slideshow reel, in order.
    public var stills: [String]
    /// A raw video to cut for the platform (stills are ignored when it is set).
    public var video: String?
    /// A text card, when there is no still and no video.
    public var card: TextCard?
    /// Make the card one JPEG picture at the template's size (a feed post) rather than a narrated reel: no
    /// sound, no motion, nothing to encode but one frame.
    public var picture = false
    /// The voiceover (a voice memo or any audio file).
    public var voice: String?
    /// The music bed.
    public var music: String?
    /// Word timings for subtitles, in seconds from the reel's start.
    public var words: [TimedWord]?
    /// Text to speak with offline TTS when there is no voice and the template narrates.
    public var narration: String?
    /// The reel's length; otherwise the voice's, the video's or the stills' length sets it.
    public var seconds: Double?
    /// Scene start times of `video`, so the cut ends at a scene boundary.
    public var sceneStarts: [Double]
    /// Where the MP4 (or the card's JPEG) goes.
    public var output: String
    public var limits: MediaLimits
    /// How messages name input files (the attachment's filename rather than its blob path).
    public var displayNames: [String: String] = [:]

    /// The name a message uses for `path`.
    public func displayName(_ path: String) -> String { displayNames[path] ?? URL(filePath: path).lastPathComponent }

    public init(
        template: ReelTemplate,
        platform: PlatformPreset,
        stills: [String] = [],
        video: String? = nil,
        voice: String? = nil,
        music: String? = nil,
        words: [TimedWord]? = nil,
        narration: String? = nil,
        seconds: Double? = nil,
        sceneStarts: [Double] = [],
        output: String,
        limits: MediaLimits = MediaLimits()
    ) {
        self.template = template
        self.platform = platform
        self.stills = stills
        self.video = video
        self.voice = voice
        self.music = music
        self.words = words
        self.narration = narration
        self.seconds = seconds
        self.sceneStarts = sceneStarts
        self.output = output
        self.limits = limits
    }
}
