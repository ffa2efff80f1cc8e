public import Pipeline

/// One variant per target account: the `draft` stage's output.
public struct DraftOutput: StageOutput, Equatable {
    public static let producer = "draft"

    public var variants: [DraftVariant]
    /// The LLM router calls that wrote them (none for the offline drafter; absent in outputs stored before
    /// drafting went through the router).
    public var modelCalls: [ModelCall]?

    public init(variants: [DraftVariant], modelCalls: [ModelCall]? = nil) {
        self.variants = variants
        self.modelCalls = modelCalls
    }
}
