/// A task whose engine a child can load before the task's first request: `IsolatedWorkers.warmUp` has new
/// children do it at the daemon's start, so the first request after a start is served as fast as later ones.
///
/// ```swift
/// extension TranscribeTask: WarmableTask {
///     public static func warmUp() throws { try PocketSphinxRecognizer.reused.use { _ in } }
/// }
/// ```
public protocol WarmableTask: IsolatedTask {
    /// Loads what `perform` reuses (`ReusedEngines`), in the child.
    static func warmUp() throws
}

/// The request that has a child warm up tasks, by verb; it answers with the verbs it warmed.
enum WarmUp {
    static let verb = "warm-up"
}
