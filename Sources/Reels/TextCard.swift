import Pipeline

/// A reel's picture when a request has no usable picture or video: the post's key line, set with libass on the
/// talent's brand colour, in the brand's font (`talent_profile.brand_kit_json`), under the narration or the
/// voice memo and the music bed. Instagram and TikTok cannot post text alone; this gives them media.
public struct TextCard: Sendable, Codable, Equatable {
    public var text: String
    /// `#RRGGBB`.
    public var background: String
    public var colour: String
    public var font: String

    /// The defaults when the brand kit says nothing: white on a deep blue, DejaVu Sans.
    public init(text: String, background: String? = nil, colour: String? = nil, font: String? = nil) {
        self.text = text
        self.background = background.flatMap { ReelTemplate.rgb($0) != nil ? $0 : nil } ?? "#1E3A5F"
        self.colour = colour.flatMap { ReelTemplate.rgb($0) != nil ? $0 : nil } ?? "#FFFFFF"
        self.font = font.flatMap { $0.isEmpty ? nil : $0 } ?? "DejaVu Sans"
    }
}
