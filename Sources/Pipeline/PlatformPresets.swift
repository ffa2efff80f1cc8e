public import Domain
public import Foundation
import Yams

/// Per-platform limits and presets from `pipelines/platforms.yaml`.
public struct PlatformPreset: Sendable, Codable, Equatable {
    /// The most characters a caption may have (hashtags included).
    public var captionLimit: Int
    /// The most hashtags a post may carry.
    public var hashtagLimit: Int
    /// Aspect ratio of composed media, `W:H`.
    public var aspect: String
    /// The longest video the platform takes, in seconds.
    public var maxVideoSeconds: Double
    /// The largest upload the platform takes, in bytes.
    public var maxFileBytes: Int64
    /// Fractions of the frame kept clear of the app's overlays.
    public var safeArea: SafeArea

    public struct SafeArea: Sendable, Codable, Equatable {
        public var top: Double
        public var bottom: Double
        public var left: Double
        public var right: Double
    }

    enum CodingKeys: String, CodingKey {
        case captionLimit = "caption_limit"
        case hashtagLimit = "hashtag_limit"
        case aspect
        case maxVideoSeconds = "max_video_seconds"
        case maxFileBytes = "max_file_bytes"
        case safeArea = "safe_area"
    }
}

/// Every platform's preset. Loading fails unless each platform has one.
public struct PlatformPresets: Sendable, Equatable {
    public let presets: [Platform: PlatformPreset]

    public init(presets: [Platform: PlatformPreset]) {
        self.presets = presets
    }

    public subscript(_ platform: Platform) -> PlatformPreset {
        guard let preset = presets[platform] else { preconditionFailure("presets are validated at load") }
        return preset
    }

    /// Loads and validates `platforms.yaml`.
    public static func load(from url: URL) throws -> PlatformPresets {
        try parse(YAMLDocument(contentsOf: url))
    }

    /// Parses presets from YAML text (`file` names it in errors).
    public static func parse(text: String, file: String) throws -> PlatformPresets {
        try parse(YAMLDocument(text: text, file: file))
    }

    private static func parse(_ document: YAMLDocument) throws -> PlatformPresets {
        let top = try document.mapping(document.root, what: "the presets file", allowed: ["platforms"])
        guard let platformsNode = top["platforms"] else { throw document.error("needs 'platforms'", at: document.root) }
        let platforms = try document.mapping(platformsNode, what: "'platforms'")
        var presets: [Platform: PlatformPreset] = [:]
        for (key, value) in platforms {
            guard let name = key.string, let platform = Platform(rawValue: name) else {
                throw document.error("unknown platform '\(key.string ?? "?")' (known: instagram, tiktok, linkedin)", at: key)
            }
            _ = try document.mapping(
                value,
                what: "preset '\(name)'",
                allowed: Set(["caption_limit", "hashtag_limit", "aspect", "max_video_seconds", "max_file_bytes", "safe_area"])
            )
            let preset = try document.decode(PlatformPreset.self, from: value, what: "preset '\(name)'")
            guard preset.captionLimit > 0, preset.hashtagLimit >= 0, preset.maxVideoSeconds > 0, preset.maxFileBytes > 0 else {
                throw document.error("preset '\(name)': limits must be positive", at: value)
            }
            let sides = preset.aspect.split(separator: ":").compactMap { Int($0) }
            guard sides.count == 2, sides.allSatisfy({ $0 > 0 }) else {
                throw document.error("preset '\(name)': aspect must look like 9:16", at: value)
            }
            presets[platform] = preset
        }
        for platform in Platform.allCases where presets[platform] == nil {
            throw document.error("missing preset for '\(platform.rawValue)'", at: platformsNode)
        }
        return PlatformPresets(presets: presets)
    }
}
