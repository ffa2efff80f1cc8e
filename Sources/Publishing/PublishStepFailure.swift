public import Foundation

/// A device flow that stopped: the classified error, the step it stopped at, and what the screen showed then.
///
/// `error` decides what the publisher does (as for any channel); `step` and `screenshotPNG` are for the operator
/// who looks at why.
///
/// ```swift
/// do { _ = try await channel.publish(post) } catch let failure as PublishStepFailure { settle(failure.error) }
/// ```
public struct PublishStepFailure: Error, Sendable, CustomStringConvertible {
    /// The error, classified by the flow's `hard_block` and `soft_block` (an unreachable hub is soft). After
    /// the `confirm` step nothing is soft: the post may be out, and trying again could post it twice.
    public let error: PublishError
    /// The step's number in the flow and what it does, such as `6: confirm //*[@content-desc='Share']`, or
    /// `new session` when no step ran.
    public let step: String
    /// The screen when the step failed (PNG), when the session could still take one.
    public let screenshotPNG: Data?

    /// The error's reason, which names the step already.
    public var description: String { error.description }
}
