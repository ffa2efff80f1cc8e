public import Pipeline

/// The drafted variants with moderation's verdicts: the `moderate` stage's output.
public struct ModerationOutput: StageOutput, Equatable {
    public static let producer = "moderate"

    /// A variant after moderation.
    public struct Verdict: Sendable, Codable, Equatable {
        public var variant: DraftVariant
        /// Why it was blocked; nil when it passed.
        public var blockedReason: String?
        public var passed: Bool { blockedReason == nil }

        public init(variant: DraftVariant, blockedReason: String?) {
            self.variant = variant
            self.blockedReason = blockedReason
        }
    }

    public var variants: [Verdict]

    public init(variants: [Verdict]) { self.variants = variants }
}
