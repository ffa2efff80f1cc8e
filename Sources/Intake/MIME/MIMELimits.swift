/// Bounds that keep a hostile e-mail from costing unbounded memory, time or stack.
public struct MIMELimits: Sendable, Equatable, Codable {
    /// The most MIME entities (containers and leaves) a message may have.
    public var maxParts = 500
    /// The deepest nesting of multiparts and attached messages.
    public var maxDepth = 30
    /// The largest decoded attachment kept (100 MiB); larger ones are listed in `ParsedEmail.omitted`.
    public var maxAttachmentBytes = 100 << 20

    /// The defaults above, changed by `adjust`: `MIMELimits { $0.maxParts = 20 }`.
    public init(_ adjust: (inout Self) -> Void = { _ in }) { adjust(&self) }
}
