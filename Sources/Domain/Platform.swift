import Foundation

/// A social platform a talent's account lives on.
public enum Platform: String, Sendable, Codable, CaseIterable, Hashable {
    case instagram
    case tiktok
    case linkedin

    /// The short tag talents write in email subjects and bodies (`#IG`, `#TT`, `#LI`).
    public var tag: String {
        switch self {
        case .instagram: "IG"
        case .tiktok: "TT"
        case .linkedin: "LI"
        }
    }

    /// Finds a platform by its tag (`IG`, `#tt`) or its name (`instagram`), case-insensitively.
    public init?(tagOrName raw: String) {
        var text = raw.trimmingCharacters(in: .whitespaces).lowercased()
        if text.hasPrefix("#") { text.removeFirst() }
        if let byName = Platform(rawValue: text) {
            self = byName
            return
        }
        guard let byTag = Platform.allCases.first(where: { $0.tag.lowercased() == text }) else { return nil }
        self = byTag
    }
}
