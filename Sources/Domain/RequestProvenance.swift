/// Where a post request came from beyond its source, as intake records it: the email's sender, subject,
/// Gmail id and raw message, the key that makes intake idempotent, and notes for operators.
public struct RequestProvenance: Sendable, Equatable {
    public var senderEmail: String?
    public var subject: String?
    public var gmailMessageID: String?
    /// Unique across requests: a second intake of the same thing names the first request instead.
    public var intakeKey: String?
    public var rawMessagePath: String?
    public var notes: [String] = []

    /// Nothing known, then what `record` fills in: `.init { $0.intakeKey = key }`.
    public init(_ record: (inout Self) -> Void = { _ in }) { record(&self) }
}
