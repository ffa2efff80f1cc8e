/// A talent's brand kit, as `talent_profile.brand_kit_json` holds it:
/// `{"background": "#1E3A5F", "text": "#FFFFFF", "font": "DejaVu Sans"}`. Every key is optional.
public struct BrandKit: Sendable, Codable, Equatable {
    /// `#RRGGBB` behind a text card.
    public var background: String?
    /// `#RRGGBB` of a text card's words.
    public var text: String?
    /// A font family fontconfig knows.
    public var font: String?
}
