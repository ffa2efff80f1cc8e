import Foundation

/// How many stage runs that use the CPU (media work, in this process or in the media children it waits
/// for) may go at once in one daemon, across all the requests its workers run: the pipeline runs every stage
/// whose needs are met, and this keeps a request with many attachments from starting more work than there
/// are cores. Stages that wait on the network or the database (drafting, moderation, queueing) hold none.
///
/// A freed permit goes to the waiting run of the highest priority, the longest waiter among equals. The
/// runner passes each stage run's level (the longest chain of the request's runs that wait for it), so work on
/// the critical path goes first: a voice memo's probe before a still's, and its transcription, which
/// composition waits for, before the OCR of the stills, which only drafting reads.
public actor StageBudget {
    public let permits: Int
    private var free: Int
    private var waiters: [(priority: Int, turn: Int, continuation: CheckedContinuation<Void, Never>)] = []
    private var turns = 0

    /// - Parameter permits: nil for the machine's active cores.
    public init(permits: Int? = nil) {
        let count = max(1, permits ?? ProcessInfo.processInfo.activeProcessorCount)
        self.permits = count
        free = count
    }

    /// How many runs wait for a permit.
    var waiting: Int { waiters.count }

    /// Waits for a permit; `priority`: higher goes first.
    func acquire(priority: Int = 0) async {
        if free > 0 {
            free -= 1
            return
        }
        turns += 1
        let turn = turns
        await withCheckedContinuation { waiters.append((priority, turn, $0)) }
    }

    /// Gives a permit back: to the waiter of the highest priority, the longest waiting among equals.
    func release() {
        guard
            let next = waiters.indices.min(by: {
                (-waiters[$0].priority, waiters[$0].turn) < (-waiters[$1].priority, waiters[$1].turn)
            })
        else {
            free = min(permits, free + 1)
            return
        }
        waiters.remove(at: next).continuation.resume()
    }
}
