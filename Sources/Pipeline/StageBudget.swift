import Foundation

/// How many stage runs that use the CPU (media work, in this process or in the media children it waits
/// for) may go at once in one daemon, across all the requests its workers run: the pipeline runs every stage
/// whose needs are met, and this keeps a request with many attachments from starting more work than there
/// are cores. Stages that wait on the network or the database (drafting, moderation, queueing) hold none.
public actor StageBudget {
    public let permits: Int
    private var free: Int
    private var waiters: [CheckedContinuation<Void, Never>] = []

    /// - Parameter permits: nil for the machine's active cores.
    public init(permits: Int? = nil) {
        let count = max(1, permits ?? ProcessInfo.processInfo.activeProcessorCount)
        self.permits = count
        free = count
    }

    /// Waits for a permit.
    func acquire() async {
        if free > 0 {
            free -= 1
            return
        }
        await withCheckedContinuation { waiters.append($0) }
    }

    /// Gives a permit back: to the longest waiter, if any.
    func release() {
        if waiters.isEmpty {
            free = min(permits, free + 1)
        } else {
            waiters.removeFirst().resume()
        }
    }
}
