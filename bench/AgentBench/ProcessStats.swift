import Foundation
import Glibc
import Synchronization

/// This process's memory (from /proc/self/status) and CPU time (getrusage).
enum ProcessStats {
    /// `VmRSS` and `VmHWM` in KiB.
    static func memory() -> (rssKiB: Int, peakKiB: Int) {
        let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
        func field(_ name: String) -> Int {
            guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix(name + ":") }) else { return 0 }
            return Int(line.dropFirst(name.count + 1).trimmingCharacters(in: .whitespaces).split(separator: " ").first ?? "") ?? 0
        }
        return (field("VmRSS"), field("VmHWM"))
    }

    /// Resets `VmHWM` to the current RSS (Linux 4.0+: "5" to clear_refs), so the next peak is this run's.
    /// - Returns: whether the kernel took it.
    @discardableResult
    static func resetPeak() -> Bool {
        guard let handle = FileHandle(forWritingAtPath: "/proc/self/clear_refs") else { return false }
        defer { try? handle.close() }
        return (try? handle.write(contentsOf: Data("5".utf8))) != nil
    }

    /// Hands freed heap back to the kernel (glibc's `malloc_trim`, which the Glibc module does not export),
    /// so that what the warm-up freed is not reused unseen by the run being measured.
    static func trimHeap() {
        typealias Trim = @convention(c) (Int) -> Int32
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "malloc_trim") else { return }
        _ = unsafeBitCast(symbol, to: Trim.self)(0)
    }

    /// User plus system CPU time of the whole process (every thread), in seconds.
    static func cpuSeconds() -> Double {
        var usage = rusage()
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        func seconds(_ time: timeval) -> Double { Double(time.tv_sec) + Double(time.tv_usec) / 1e6 }
        return seconds(usage.ru_utime) + seconds(usage.ru_stime)
    }
}

/// Samples `VmRSS` every 10 ms on a thread of its own (off the cooperative pool the bench keeps busy) and
/// keeps the highest value; `VmHWM` catches what falls between samples.
final class RSSSampler: Sendable {
    private let highest = Atomic<Int>(0)
    private let running = Atomic<Bool>(true)

    init() {
        let thread = Thread { [self] in
            while running.load(ordering: .relaxed) {
                highest.max(ProcessStats.memory().rssKiB, ordering: .relaxed)
                usleep(10_000)
            }
        }
        thread.start()
    }

    /// Stops sampling; returns the highest RSS seen (KiB).
    func stop() -> Int {
        running.store(false, ordering: .relaxed)
        return highest.load(ordering: .relaxed)
    }
}
