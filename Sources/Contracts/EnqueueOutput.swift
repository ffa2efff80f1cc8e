public import Foundation
public import Pipeline

/// What went into the approval queue: the `enqueue` stage's output.
public struct EnqueueOutput: StageOutput, Equatable {
    public static let producer = "enqueue"

    /// The queue rows created.
    public var enqueued: [UUID]
    /// Rows still awaiting approval whose content this run replaced.
    public var replaced: Int
    /// Rows that already showed exactly this content (a retried or rerun job that drafted the same words).
    public var unchanged: Int
    /// Accounts whose row had already moved on (approved, rejected, published) and was left alone.
    public var kept: Int
    public var blocked: Int

    public init(enqueued: [UUID] = [], replaced: Int = 0, unchanged: Int = 0, kept: Int = 0, blocked: Int = 0) {
        self.enqueued = enqueued
        self.replaced = replaced
        self.unchanged = unchanged
        self.kept = kept
        self.blocked = blocked
    }
}
