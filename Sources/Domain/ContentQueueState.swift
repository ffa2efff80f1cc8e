/// The states of a variant in the shared approval queue, and the only legal moves between them.
public enum ContentQueueState: String, Sendable, Codable, CaseIterable {
    case draft
    case awaitingOwnerApproval = "awaiting_owner_approval"
    case approved
    case rejected
    case queued
    case published
    case failed

    /// States a variant may move to from this one.
    public var allowedNext: Set<ContentQueueState> {
        switch self {
        case .draft: [.awaitingOwnerApproval, .rejected]
        case .awaitingOwnerApproval: [.approved, .rejected]
        case .approved: [.queued, .awaitingOwnerApproval]
        case .queued: [.published, .failed]
        case .failed: [.queued]
        case .rejected, .published: []
        }
    }

    /// Whether moving to `next` is legal.
    public func canMove(to next: ContentQueueState) -> Bool { allowedNext.contains(next) }
}
