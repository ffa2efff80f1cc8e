public import Domain
public import Foundation

/// How a reel is composed for one platform placement, from `pipelines/reels/<name>.yaml`.
public struct ReelTemplate: Sendable, Codable, Equatable {
    /// The file's base name (`tiktok`), how commands and the compose stage choose it.
    public var name: String
    /// Which platform's limits and safe area apply.
    public var platform: Platform
    public var width: Int
    public var height: Int
    public var fps: Int
    /// The longest reel this template makes (never more than the platform's limit).
    public var maxSeconds: Double
    /// How long each still shows when no voice sets the length.
    public var stillSeconds: Double
    /// Crossfade length between stills.
    public var transitionSeconds: Double
    public var motion: Motion
    /// Raw video into this aspect: `crop` fills the frame around the centre; `blur` fits the whole picture
    /// over a blurred, enlarged copy of itself.
    public var reframe: Reframe
    /// `when_missing`: speak the prompt with offline text-to-speech when the request has no voice.
    public var narration: Narration
    public var subtitles: SubtitleStyle
    /// The music bed's loudness relative to the voice, in dB (negative).
    public var musicLevelDB: Double
    /// How much further the music drops while the voice speaks, in dB (negative).
    public var duckDB: Double
    public var loudness: Loudness
    public var encoder: Encoder

    public enum Reframe: String, Sendable, Codable { case crop, blur }
    public enum Narration: String, Sendable, Codable {
        case never
        case whenMissing = "when_missing"
    }

    /// The Ken Burns move on each still.
    public struct Motion: Sendable, Codable, Equatable {
        /// How far the zoom goes (1.15 = 15 % closer at the end of the move than at its start).
        public var zoom: Double
        /// How far the centre drifts, as a fraction of the picture's width.
        public var pan: Double
    }

    public struct SubtitleStyle: Sendable, Codable, Equatable {
        public var font: String
        /// Font size in pixels of the output.
        public var size: Int
        public var colour: String
        public var outlineColour: String
        /// Outline width in pixels.
        public var outline: Double
        public var bold: Bool
        /// The most characters on one subtitle line.
        public var maxChars: Int
        /// Whether lines sit on a box of `outline_colour` (legible on any picture) instead of an outline only.
        public var box: Bool
        /// The box's opacity, 0…1.
        public var boxOpacity: Double

        enum CodingKeys: String, CodingKey {
            case font, size, colour, outline, bold, box
            case outlineColour = "outline_colour"
            case maxChars = "max_chars"
            case boxOpacity = "box_opacity"
        }
    }

    public struct Loudness: Sendable, Codable, Equatable {
        public var integratedLUFS: Double
        public var truePeakDB: Double
        enum CodingKeys: String, CodingKey {
            case integratedLUFS = "integrated_lufs"
            case truePeakDB = "true_peak_db"
        }
    }

    public struct Encoder: Sendable, Codable, Equatable {
        public var preset: String
        public var crf: Int
        public var maxBitrateKbps: Int?
        public var audioBitrateKbps: Int
        enum CodingKeys: String, CodingKey {
            case preset, crf
            case maxBitrateKbps = "max_bitrate_kbps"
            case audioBitrateKbps = "audio_bitrate_kbps"
        }
    }

    enum CodingKeys: String, CodingKey {
        case name, platform, width, height, fps, motion, reframe, narration, subtitles, loudness, encoder
        case maxSeconds = "max_seconds"
        case stillSeconds = "still_seconds"
        case transitionSeconds = "transition_seconds"
        case musicLevelDB = "music_level_db"
        case duckDB = "duck_db"
    }

    static let keys: Set<String> = [
        "name", "platform", "width", "height", "fps", "max_seconds", "still_seconds", "transition_seconds", "motion", "reframe",
        "narration", "subtitles", "music_level_db", "duck_db", "loudness", "encoder",
    ]
}

/// Every reel template in `pipelines/reels/`, validated at start-up.
public struct ReelTemplates: Sendable, Equatable {
    public let templates: [String: ReelTemplate]

    public init(templates: [String: ReelTemplate]) {
        self.templates = templates
    }

    public subscript(_ name: String) -> ReelTemplate? { templates[name] }

    /// Loads every `*.yaml` in `directory`; each is checked against the platform presets.
    public static func load(from directory: URL, platforms: PlatformPresets) throws -> ReelTemplates {
        let files = try FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == "yaml" }.sorted { $0.lastPathComponent < $1.lastPathComponent }
        var templates: [String: ReelTemplate] = [:]
        for file in files {
            let template = try parse(YAMLDocument(contentsOf: file), platforms: platforms)
            guard template.name == file.deletingPathExtension().lastPathComponent else {
                throw PipelineConfigurationError(
                    file: file.path,
                    line: 1,
                    message: "the template's name must be the file's name, '\(file.deletingPathExtension().lastPathComponent)'"
                )
            }
            templates[template.name] = template
        }
        guard !templates.isEmpty else {
            throw PipelineConfigurationError(file: directory.path, line: nil, message: "no reel templates (*.yaml) here")
        }
        return ReelTemplates(templates: templates)
    }

    /// Parses one template from YAML text (`file` names it in errors).
    public static func parse(text: String, file: String, platforms: PlatformPresets) throws -> ReelTemplate {
        try parse(YAMLDocument(text: text, file: file), platforms: platforms)
    }

    private static func parse(_ document: YAMLDocument, platforms: PlatformPresets) throws -> ReelTemplate {
        _ = try document.mapping(document.root, what: "a reel template", allowed: ReelTemplate.keys)
        let template = try document.decode(ReelTemplate.self, from: document.root, what: "the reel template")
        func check(_ condition: Bool, _ message: String) throws {
            if !condition { throw document.error("template '\(template.name)': \(message)", at: document.root) }
        }
        try check(
            template.width >= 64 && template.height >= 64 && template.width <= 4096 && template.height <= 4096,
            "width and height must be from 64 to 4096"
        )
        try check(template.width % 2 == 0 && template.height % 2 == 0, "width and height must be even")
        try check((1...60).contains(template.fps), "fps must be from 1 to 60")
        try check(
            template.maxSeconds > 0 && template.maxSeconds <= platforms[template.platform].maxVideoSeconds,
            "max_seconds must be positive and at most \(platforms[template.platform].maxVideoSeconds) (the platform's limit)"
        )
        try check(template.stillSeconds >= 0.5, "still_seconds must be at least 0.5")
        try check(
            template.transitionSeconds >= 0 && template.transitionSeconds < template.stillSeconds / 2,
            "transition_seconds must be under half of still_seconds"
        )
        try check(template.motion.zoom >= 1 && template.motion.zoom <= 2, "motion.zoom must be from 1 to 2")
        try check(template.motion.pan >= 0 && template.motion.pan <= 0.3, "motion.pan must be from 0 to 0.3")
        try check(template.subtitles.size >= 8 && template.subtitles.size <= template.height / 4, "subtitles.size is out of range")
        try check(template.subtitles.maxChars >= 8, "subtitles.max_chars must be at least 8")
        try check((0...1).contains(template.subtitles.boxOpacity), "subtitles.box_opacity must be from 0 to 1")
        for colour in [template.subtitles.colour, template.subtitles.outlineColour] {
            try check(ReelTemplate.rgb(colour) != nil, "colours look like #RRGGBB ('\(colour)')")
        }
        try check(template.musicLevelDB <= 0 && template.duckDB <= 0, "music_level_db and duck_db are negative dB")
        try check((-40.0 ... -5.0).contains(template.loudness.integratedLUFS), "loudness.integrated_lufs must be from -40 to -5")
        try check((-9.0...0.0).contains(template.loudness.truePeakDB), "loudness.true_peak_db must be from -9 to 0")
        let presets: Set<String> = ["ultrafast", "superfast", "veryfast", "faster", "fast", "medium", "slow", "slower"]
        try check(presets.contains(template.encoder.preset), "encoder.preset must be one of \(presets.sorted().joined(separator: ", "))")
        try check((0...51).contains(template.encoder.crf), "encoder.crf must be from 0 to 51")
        try check((32...512).contains(template.encoder.audioBitrateKbps), "encoder.audio_bitrate_kbps must be from 32 to 512")
        return template
    }
}

extension ReelTemplate {
    /// `#RRGGBB` as three bytes.
    public static func rgb(_ text: String) -> (UInt8, UInt8, UInt8)? {
        guard text.count == 7, text.first == "#", let value = UInt32(text.dropFirst(), radix: 16) else { return nil }
        return (UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF))
    }
}
