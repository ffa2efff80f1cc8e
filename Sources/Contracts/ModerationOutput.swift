public import Pipeline

/// The drafted variants with moderation's verdicts: the `moderate` stage's output.
public struct ModerationOutput: StageOutput, Equatable {
    public static let producer = "moderate"

    /// A variant after moderation.
    public struct Verdict: Sendable, Codable, Equatable {
        public var variant: DraftVariant
        /// Why it was blocked (it stays out of the approval queue); nil when it passed.
        public var blockedReason: String?
        /// Why the moderator wants a human to look twice: the variant is queued with this reason on its card.
        public var flagReason: String?
        public var passed: Bool { blockedReason == nil }

        public init(variant: DraftVariant, blockedReason: String?, flagReason: String? = nil) {
            self.variant = variant
            self.blockedReason = blockedReason
            self.flagReason = flagReason
        }
    }

    public var variants: [Verdict]
    /// The LLM router calls of the second pass (absent without a router).
    public var modelCalls: [ModelCall]?

    public init(variants: [Verdict], modelCalls: [ModelCall]? = nil) {
        self.variants = variants
        self.modelCalls = modelCalls
    }
}
