import Foundation
import Glibc

/// What the kernel says a process's threads have been doing, read from `/proc/PID/task/*/schedstat` (the
/// nanoseconds each thread spent on a core and waiting in a run queue) and `/proc/PID/task/*/stat` (its state).
/// A process is making progress when two samples differ, or when one of its threads is running or ready to
/// run (`R`: a child at `SCHED_IDLE` on a busy machine waits for a core, which is not a hang). Equal samples
/// with every thread asleep, blocked or stopped mean it waits for something that does not come.
struct ThreadActivity: Equatable, Sendable {
    /// Per thread id: nanoseconds on a core, then nanoseconds waiting for one.
    var times: [Int32: [UInt64]]
    /// Whether a thread was running or ready to run when sampled.
    var runnable: Bool

    /// The threads of `pid` now; nil when the process is gone.
    static func sample(pid: pid_t) -> ThreadActivity? {
        let folder = "/proc/\(pid)/task"
        guard let threads = try? FileManager.default.contentsOfDirectory(atPath: folder) else { return nil }
        var activity = ThreadActivity(times: [:], runnable: false)
        for thread in threads {
            guard let id = Int32(thread) else { continue }
            if let schedstat = readProcFile("\(folder)/\(thread)/schedstat") {
                activity.times[id] = schedstat.split(separator: " ").prefix(2).compactMap { UInt64($0) }
            }
            // `PID (name) S …`: the state follows the last parenthesis (a thread's name may hold one).
            if let stat = readProcFile("\(folder)/\(thread)/stat"), let close = stat.lastIndex(of: ")"),
                stat[stat.index(after: close)...].first(where: { $0 != " " }) == "R"
            {
                activity.runnable = true
            }
        }
        return activity
    }

    /// A small file of `/proc` (they report no size, so it is read to its end), or nil.
    private static func readProcFile(_ path: String) -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes = [UInt8](repeating: 0, count: 1024)
        var count = 0
        while count < bytes.count {
            let got = bytes.withUnsafeMutableBytes { read(fd, $0.baseAddress! + count, $0.count - count) }
            if got < 0 && errno == EINTR { continue }
            guard got > 0 else { break }
            count += got
        }
        return count > 0 ? String(decoding: bytes[..<count], as: UTF8.self) : nil
    }
}
