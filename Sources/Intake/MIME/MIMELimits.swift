/// Bounds that keep a hostile e-mail from costing unbounded memory, time or stack.
public struct MIMELimits: Sendable, Equatable, Codable {
    /// The most MIME entities (containers and leaves) a message may have. Default 500.
    public var maxParts: Int
    /// The deepest nesting of multiparts and attached messages. Default 30.
    public var maxDepth: Int
    /// The largest decoded attachment kept; larger ones are listed in `ParsedEmail.omitted`. Default 100 MiB.
    public var maxAttachmentBytes: Int

    public init(maxParts: Int = 500, maxDepth: Int = 30, maxAttachmentBytes: Int = 100 << 20) {
        self.maxParts = maxParts
        self.maxDepth = maxDepth
        self.maxAttachmentBytes = maxAttachmentBytes
    }
}
