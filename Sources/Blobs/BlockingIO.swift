import Dispatch

/// Runs blocking file work (writes, fsync, renames) on a Dispatch thread, never on Swift's cooperative pool:
/// that pool has one thread per core (two here), and a thread waiting for a disk there stalls every task
/// scheduled behind it (web requests, intake, stage bookkeeping).
///
/// ```swift
/// let stored = try await BlockingIO.run { try blobs.store(data: raw, in: .unassigned) }
/// ```
public enum BlockingIO {
    public static func run<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(with: Result { try work() }) }
        }
    }
}
