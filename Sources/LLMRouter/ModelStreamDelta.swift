/// A piece of a streamed answer as it arrives: text, or a tool call's input JSON.
public struct ModelStreamDelta: Sendable, Equatable {
    public var blockIndex: Int
    /// Whether this is a tool call's input (partial JSON) rather than text.
    public var isToolInput: Bool
    public var piece: String
    /// The block's text (or input JSON) so far.
    public var soFar: String
}
