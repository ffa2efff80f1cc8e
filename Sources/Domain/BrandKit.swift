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

extension BrandKit {
    /// Reads each key on its own: a key of the wrong type (`"background": 5`) is left out, and the others are
    /// kept. The brand kit is written outside this daemon, and one bad key must not fail every request of
    /// the talent.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            background: try? container.decodeIfPresent(String.self, forKey: .background),
            text: try? container.decodeIfPresent(String.self, forKey: .text),
            font: try? container.decodeIfPresent(String.self, forKey: .font)
        )
    }
}
