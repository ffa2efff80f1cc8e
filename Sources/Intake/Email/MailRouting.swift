/// Finds which talents an email is for, from its original recipients.
///
/// To and Cc come first; only when neither names an address at the intake domain are Delivered-To,
/// X-Original-To and X-Forwarded-To read (what a catch-all forward leaves behind). Every address at the
/// intake domain gets a decision, so a refusal can say exactly why.
public enum MailRouting {
    /// What one recipient address asks for.
    public enum Decision: Sendable, Equatable {
        /// `<slug>+post@domain`: a post request for the talent.
        case post(slug: String)
        /// A suffix kept for later intents (`+settings`, `+inbox`): refused for now.
        case reservedSuffix(slug: String, suffix: String)
        /// Any other suffix: refused.
        case unknownSuffix(slug: String, suffix: String)
        /// No suffix at all (`slug@domain`): refused, so a stray mail never becomes a post.
        case noSuffix(slug: String)
        /// A local part that cannot be a slug.
        case malformed

        /// Words for operators and the event log.
        public var explanation: String {
            switch self {
            case .post(let slug): "post request for \(slug)"
            case .reservedSuffix(_, let suffix): "refused: +\(suffix) is reserved and not accepted by email yet"
            case .unknownSuffix(_, let suffix): "refused: unknown suffix +\(suffix) (only +post is accepted)"
            case .noSuffix: "refused: the address has no +post suffix"
            case .malformed: "refused: the address is not <slug>+post@ the intake domain"
            }
        }
    }

    /// One recipient address at the intake domain and what it asks for.
    public struct Route: Sendable, Equatable {
        public var address: String
        public var header: String
        public var decision: Decision
    }

    /// Suffixes reserved for future intents.
    public static let reservedSuffixes: Set<String> = ["settings", "inbox"]

    /// The routes of every address at `domain`, first seen first, each address once.
    public static func routes(for email: ParsedEmail, intakeDomain domain: String) -> [Route] {
        let primary = collect([("To", email.to), ("Cc", email.cc)], domain: domain)
        if !primary.isEmpty { return primary }
        return collect(
            [("Delivered-To", email.deliveredTo), ("X-Original-To", email.originalTo), ("X-Forwarded-To", email.forwardedTo)],
            domain: domain
        )
    }

    /// The decision for one address, or nil when it is not at `domain`.
    public static func decide(_ address: String, intakeDomain domain: String) -> Decision? {
        let lowered = address.lowercased()
        guard let at = lowered.lastIndex(of: "@") else { return nil }
        let host = lowered[lowered.index(after: at)...]
        guard host == domain.lowercased() else { return nil }
        let local = lowered[..<at]
        let parts = local.split(separator: "+", maxSplits: 1, omittingEmptySubsequences: false)
        let slug = String(parts[0])
        guard isSlug(slug) else { return .malformed }
        guard parts.count == 2 else { return .noSuffix(slug: slug) }
        let suffix = String(parts[1])
        if suffix == "post" { return .post(slug: slug) }
        if reservedSuffixes.contains(suffix) { return .reservedSuffix(slug: slug, suffix: suffix) }
        return .unknownSuffix(slug: slug, suffix: String(suffix.prefix(40)))
    }

    /// Slugs are lower-case letters, digits and inner hyphens, at most 63 characters.
    static func isSlug(_ text: String) -> Bool {
        !text.isEmpty && text.count <= 63 && !text.hasPrefix("-") && !text.hasSuffix("-")
            && text.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" }
    }

    private static func collect(_ headers: [(String, [EmailAddress])], domain: String) -> [Route] {
        var seen: Set<String> = []
        var routes: [Route] = []
        for (header, addresses) in headers {
            for address in addresses {
                let normalized = address.normalized
                guard let decision = decide(normalized, intakeDomain: domain), seen.insert(normalized).inserted else { continue }
                routes.append(Route(address: normalized, header: header, decision: decision))
            }
        }
        return routes
    }
}
