/// Gives a dead job another chance, with its handler undoing what the death did. Web and the command line
/// call it; the worker side, which knows the handlers, implements it.
public protocol JobReviving: Sendable {
    /// Nil when no dead job in `scope` has the id: a tenant's operator revives only that tenant's jobs.
    func revive(jobID: Int64, scope: DataScope) async throws -> JobQueue.RevivedJob?
}

extension JobReviving {
    /// Revives a dead job of any tenant (the platform's scope).
    public func revive(jobID: Int64) async throws -> JobQueue.RevivedJob? {
        try await revive(jobID: jobID, scope: .platform)
    }
}
