import Foundation
import Glibc

/// Stopping a process for good (`SIGSTOP`), as a hung child looks.
public enum StoppedProcess {
    /// Sends `SIGSTOP` to `pid` and returns once every one of its threads is stopped (`T`). The stop is not
    /// immediate: the kernel hands the signal to one thread, which must run to stop the others, and on a busy
    /// machine that thread may wait for a core while another serves a request.
    public static func stop(_ pid: Int32) async throws {
        guard kill(pid, SIGSTOP) == 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .ESRCH) }
        while !allStopped(pid) { try await Task.sleep(for: .milliseconds(10)) }
    }

    static func allStopped(_ pid: Int32) -> Bool {
        let folder = "/proc/\(pid)/task"
        guard let threads = try? FileManager.default.contentsOfDirectory(atPath: folder), !threads.isEmpty else { return false }
        return threads.allSatisfy { thread in
            guard let stat = try? String(contentsOfFile: "\(folder)/\(thread)/stat", encoding: .utf8),
                let close = stat.lastIndex(of: ")")
            else { return false }
            return stat[stat.index(after: close)...].first { $0 != " " } == "T"
        }
    }
}
