import Dispatch
import Glibc
import Synchronization

/// Watches a busy child and kills it once it has made no progress (`ThreadActivity`) for `seconds`: a child
/// blocked for good (a deadlock inside a C library, a stopped process) is ended within about that time, not at
/// its task's wall-clock limit, which a long reel sets at many minutes. A child that works, or waits for a core
/// on a busy machine, is never ended by it: its wall-clock and CPU limits still apply.
final class StallWatchdog: @unchecked Sendable {
    private struct State {
        var last: ThreadActivity?
        var quietSince = DispatchTime.now()
        var killed = false
        var cancelled = false
    }

    private let pid: pid_t
    private let seconds: Double
    private let kill: @Sendable () -> Void
    private let state = Mutex(State())
    /// Set up in `init`, then only cancelled: the source is thread-safe.
    private let timer: any DispatchSourceTimer

    /// Starts watching `pid`; `kill` runs at most once, never after `cancel` returned.
    init(pid: pid_t, seconds: Double, kill: @escaping @Sendable () -> Void) {
        self.pid = pid
        self.seconds = seconds
        self.kill = kill
        timer = DispatchSource.makeTimerSource(queue: DispatchQueue(label: "drsocial.stall-watchdog"))
        let interval = min(max(seconds / 6, 0.1), 5)
        timer.setEventHandler { [weak self] in self?.check() }
        timer.schedule(deadline: .now() + interval, repeating: interval)
        timer.activate()
    }

    /// Whether it killed the child.
    var fired: Bool { state.withLock { $0.killed } }

    /// Stops watching; once it returns, `kill` will not run.
    func cancel() {
        state.withLock { $0.cancelled = true }
        timer.cancel()
    }

    private func check() {
        let sample = ThreadActivity.sample(pid: pid)
        let stalled = state.withLock { state -> Bool in
            guard !state.cancelled, !state.killed, let sample else { return false }
            if sample.runnable || sample != state.last {
                state.last = sample
                state.quietSince = .now()
                return false
            }
            let quiet = Double(DispatchTime.now().uptimeNanoseconds - state.quietSince.uptimeNanoseconds) / 1e9
            guard quiet >= seconds else { return false }
            state.killed = true
            // Under the lock: `cancel` takes it first, so a child reaped after `cancel` is never signalled.
            kill()
            return true
        }
        if stalled { timer.cancel() }
    }

    deinit { timer.cancel() }
}
