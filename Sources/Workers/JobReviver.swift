public import Store

/// Revives dead jobs through the queue, letting each job's handler undo what its death did (the pipeline
/// handler reopens the request it failed) in the same transaction.
public struct JobReviver: JobReviving {
    let queue: JobQueue
    let handlers: [String: any JobHandler]

    public init(queue: JobQueue, handlers: [any JobHandler]) {
        self.queue = queue
        self.handlers = Dictionary(handlers.map { ($0.kind, $0) }, uniquingKeysWith: { first, _ in first })
    }

    public func revive(jobID: Int64, scope: DataScope) async throws -> JobQueue.RevivedJob? {
        let handlers = self.handlers
        let queue = JobQueue(pool: self.queue.pool.scoped(scope), configuration: self.queue.configuration)
        return try await queue.revive(jobID: jobID) { kind, payload, connection in
            try handlers[kind]?.jobRevived(id: jobID, payload: payload, on: connection)
        }
    }
}
