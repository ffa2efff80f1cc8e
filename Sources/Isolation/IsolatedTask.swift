/// One kind of work that reads untrusted bytes with a C library, run in a child process so that a crash or a
/// hang costs the child, never the daemon. A task is a verb, a Codable input, a Codable answer and the work;
/// each module registers its own in the `IsolatedTaskRegistry` the child serves.
///
/// ```swift
/// public enum ProbeTask: IsolatedTask {
///     public struct Input: Codable, Sendable { var path: String; var limits: MediaLimits }
///     public static let verb = "probe"
///     public static func perform(_ input: Input) throws -> ProbeResult {
///         try MediaProber(limits: input.limits).probe(path: input.path)
///     }
/// }
/// let probe = try await workers.run(ProbeTask.self, .init(path: file.path, limits: limits))
/// ```
public protocol IsolatedTask: Sendable {
    associatedtype Input: Codable & Sendable
    associatedtype Answer: Codable & Sendable
    /// The name the child knows the task by.
    static var verb: String { get }
    /// Does the work, in the child (or in this process when no executable is configured).
    static func perform(_ input: Input) throws -> Answer
}
