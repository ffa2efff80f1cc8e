/// Gives a dead job another chance, with its handler undoing what the death did. Web and the command line
/// call it; the worker side, which knows the handlers, implements it.
public protocol JobReviving: Sendable {
    /// Nil when no dead job has the id.
    func revive(jobID: Int64) async throws -> JobQueue.RevivedJob?
}
