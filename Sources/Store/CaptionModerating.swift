public import Foundation

/// Moderates a caption a talent (or an operator for them) edited in the portal before it is saved: the same
/// two passes as the pipeline's `moderate` stage. Implemented by `Workers.CaptionModerator`; the portal gets
/// it injected.
public protocol CaptionModerating: Sendable {
    /// The verdict on `caption` as the new text of variant `variantID` of talent `talentID`.
    func moderateEditedCaption(_ caption: String, variantID: UUID, talentID: UUID) async throws -> CaptionVerdict
}

/// What moderation says of an edited caption.
public enum CaptionVerdict: Sendable, Equatable {
    case allowed
    /// Saved, with the reason shown on the card.
    case flagged(String)
    /// Not saved; the reason is the answer.
    case blocked(String)
}
