public import Domain
public import Foundation

/// Chooses the accounts a request targets: the platforms it names; else the talent's last-used selection;
/// else every active account.
public enum TargetSelection {
    public static func resolve(
        platforms: [Platform]?,
        accounts: [AccountSnapshot],
        lastUsed: [UUID]?,
        slug: String
    ) throws -> [AccountSnapshot] {
        let active = accounts.filter { $0.status == "active" }
        if let platforms, !platforms.isEmpty {
            var chosen: [AccountSnapshot] = []
            for platform in Platform.allCases where platforms.contains(platform) {
                let matching = active.filter { $0.platform == platform }
                guard !matching.isEmpty else { throw IntakeError.noAccount(platform.rawValue, slug: slug) }
                chosen += matching
            }
            return chosen
        }
        if let lastUsed {
            let remembered = active.filter { lastUsed.contains($0.id) }
            if !remembered.isEmpty { return remembered }
        }
        guard !active.isEmpty else { throw IntakeError.noTargets(slug) }
        return active
    }
}
