public import Pipeline

/// One variant per target account: the `draft` stage's output.
public struct DraftOutput: StageOutput, Equatable {
    public static let producer = "draft"

    public var variants: [DraftVariant]

    public init(variants: [DraftVariant]) { self.variants = variants }
}
