import CTesseract
import Foundation

/// The one owner of a Tesseract progress monitor (`ETEXT_DESC`), spanning every Tesseract call on one
/// picture, which holds the picture to its `OCRBudget`.
///
/// Tesseract consults the monitor before each word it recognises (with the LSTM engine a "word" is a
/// run of a line, so about once a line): its deadline (wall clock, set once for the picture) and its
/// cancel callback, where we stop once the CPU time of Tesseract's calls on this picture passes the
/// budget. Stopped there, Tesseract keeps the words already read and fakes the rest as blank. Layout
/// analysis is not interruptible, so its CPU time counts toward the budget but cannot be cut short.
/// Not thread-safe: one picture, one thread (the CPU clock read is the calling thread's).
final class TesseractMonitor {
    /// Why a picture's reading stopped early.
    enum Stop: Sendable, Equatable {
        /// Tesseract's CPU time passed `OCRBudget.cpuSeconds`.
        case cpuBudget
        /// The wall clock passed `OCRBudget.deadlineSeconds` (the monitor's own deadline).
        case deadline
    }

    private let handle: OpaquePointer
    let budget: OCRBudget
    /// The deadline on `CLOCK_MONOTONIC`, in seconds; nil when the budget has none.
    private let wallDeadline: Double?
    /// Tesseract's CPU seconds on this picture, in finished calls.
    private(set) var cpuSpent = 0.0
    /// The thread's CPU clock when the running call began.
    private var callStart = 0.0
    /// Times Tesseract consulted the monitor, over every call: its progress, one tick a word (line).
    private(set) var ticks = 0
    /// Ticks in the running call, and the word count Tesseract last gave with one (the pass's size).
    private var callTicks = 0
    private var passSize = 0
    /// Why the reading stopped, and at which word of how many in the pass that was cut.
    private(set) var stop: Stop?
    private(set) var stoppedAt: (word: Int, of: Int)?
    /// The most lines the running call may find before it is stopped (not the picture: the call alone),
    /// and whether the last call was stopped for finding more.
    private var callLineLimit: Int?
    private(set) var callOverLineLimit = false

    init(budget: OCRBudget) throws {
        guard let handle = TessMonitorCreate() else { throw TextRecognitionError("cannot create a Tesseract progress monitor") }
        self.handle = handle
        self.budget = budget
        if let seconds = budget.deadlineSeconds {
            wallDeadline = Self.monotonicSeconds() + seconds
            // Tesseract takes the deadline as milliseconds from now (an Int32) and ignores 0: 1 ms at least.
            TessMonitorSetDeadlineMSecs(handle, Int32(max(1, min(seconds * 1000, Double(Int32.max)).rounded(.up))))
        } else {
            wallDeadline = nil
        }
        TessMonitorSetCancelFunc(handle) { this, words in
            guard let this else { return false }
            return Unmanaged<TesseractMonitor>.fromOpaque(this).takeUnretainedValue().shouldCancel(words: Int(words))
        }
        TessMonitorSetCancelThis(handle, Unmanaged.passUnretained(self).toOpaque())
    }

    deinit {
        TessMonitorDelete(handle)
    }

    /// True once the picture has spent its budget; no further Tesseract call should start.
    var isSpent: Bool {
        if stop != nil { return true }
        if cpuSpent >= budget.cpuSeconds {
            stop = .cpuBudget
        } else if let wallDeadline, Self.monotonicSeconds() >= wallDeadline {
            stop = .deadline
        }
        return stop != nil
    }

    /// Runs one Tesseract call under this monitor, counting its CPU time. `body` gets the `ETEXT_DESC`
    /// for `TessBaseAPIRecognize` and returns whether Tesseract finished (a stop makes it fail). With a
    /// `lineLimit`, a call whose layout finds more lines than that is stopped before it reads them
    /// (`callOverLineLimit`); the picture goes on.
    func measure(lineLimit: Int? = nil, _ body: (OpaquePointer) -> Bool) {
        callStart = Self.threadCPUSeconds()
        callTicks = 0
        callLineLimit = lineLimit
        callOverLineLimit = false
        let finished = body(handle)
        cpuSpent += Self.threadCPUSeconds() - callStart
        // Our callback records its own stop; a failure it did not cause past the deadline is the
        // monitor's deadline (Tesseract does not report which of the two stopped it, and skips the
        // callback once the deadline has passed, so the word it stopped at is known only after one).
        if !finished, stop == nil, let wallDeadline, Self.monotonicSeconds() >= wallDeadline {
            stop = .deadline
            if callTicks > 0 { stoppedAt = (callTicks, passSize) }
        }
    }

    private func shouldCancel(words: Int) -> Bool {
        ticks += 1
        callTicks += 1
        passSize = words
        if let callLineLimit, words > callLineLimit {
            callOverLineLimit = true
            return true
        }
        guard Self.threadCPUSeconds() - callStart + cpuSpent >= budget.cpuSeconds else { return false }
        if stop == nil {
            stop = .cpuBudget
            stoppedAt = (callTicks, words)
        }
        return true
    }

    static func threadCPUSeconds() -> Double {
        var now = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now)
        return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
    }

    static func monotonicSeconds() -> Double {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
    }
}
