public import Foundation
public import Store

/// Waits for work to finish while it keeps moving, and gives up only when it has stopped: no change in what the
/// test can observe (`progress`) and less than `minimumCPUSeconds` of CPU used by the watched processes and their
/// descendants for a whole `stallSeconds`. A loaded machine makes work slow, never "stalled", so a test that waits
/// this way cannot fail while the daemon is still doing something.
///
/// ```swift
/// let finished = try await ProgressWatch(processes: { [daemon.pid] }).wait(
///     until: { try await completeCount() == 30 }, progress: { "\(try await finishedStageRuns())" })
/// ```
public struct ProgressWatch: Sendable {
    /// Seconds without progress after which the work counts as stalled. Default 120.
    public var stallSeconds: Double
    /// CPU seconds the watched processes must use within `stallSeconds` to count as working. Default 3: an idle
    /// daemon polling its queue uses a fraction of that, one media child uses it in a few seconds.
    public var minimumCPUSeconds: Double
    /// The processes whose CPU time (with their descendants') counts as progress.
    public var processes: @Sendable () -> [pid_t]

    public init(stallSeconds: Double = 120, minimumCPUSeconds: Double = 3, processes: @escaping @Sendable () -> [pid_t] = { [] }) {
        self.stallSeconds = stallSeconds
        self.minimumCPUSeconds = minimumCPUSeconds
        self.processes = processes
    }

    /// How a wait ended.
    public enum Ending: Sendable, Equatable, CustomStringConvertible {
        case done
        /// Nothing moved for `seconds`; `last` is the last progress seen.
        case stalled(seconds: Double, last: String)

        public var description: String {
            switch self {
            case .done: "done"
            case .stalled(let seconds, let last): "no progress for \(Int(seconds)) s (last seen: \(last))"
            }
        }
    }

    /// Polls `done` every `interval` until it holds, or until nothing has moved for `stallSeconds`.
    public func wait(
        until done: () async throws -> Bool,
        progress: () async throws -> String = { "" },
        interval: Duration = .milliseconds(250)
    ) async throws -> Ending {
        var lastSeen = try await progress()
        var lastMove = Date()
        var cpuAtLastMove = Self.cpuSeconds(of: processes())
        while true {
            if try await done() { return .done }
            let seen = try await progress()
            let cpu = Self.cpuSeconds(of: processes())
            if seen != lastSeen || cpu - cpuAtLastMove >= minimumCPUSeconds {
                (lastSeen, lastMove, cpuAtLastMove) = (seen, Date(), cpu)
            } else if Date().timeIntervalSince(lastMove) > stallSeconds {
                return .stalled(seconds: stallSeconds, last: lastSeen)
            }
            try await Task.sleep(for: interval)
        }
    }

    /// CPU seconds used so far by `roots` and every live descendant, including children they have reaped.
    public static func cpuSeconds(of roots: [pid_t]) -> Double {
        guard !roots.isEmpty else { return 0 }
        var parent: [pid_t: pid_t] = [:]
        var ticks: [pid_t: Double] = [:]
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        for entry in entries {
            guard let pid = pid_t(entry), let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
                let close = stat.lastIndex(of: ")")
            else { continue }
            // Fields after the command name, from 0: state, ppid, …, utime (11), stime, cutime, cstime (14).
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            guard fields.count > 15, let ppid = pid_t(fields[1]) else { continue }
            parent[pid] = ppid
            ticks[pid] = [11, 12, 13, 14].compactMap { Double(fields[$0]) }.reduce(0, +)
        }
        let rootSet = Set(roots)
        func inTree(_ pid: pid_t) -> Bool {
            var current = pid
            for _ in 0..<64 {
                if rootSet.contains(current) { return true }
                guard let next = parent[current], next > 1 else { return false }
                current = next
            }
            return false
        }
        let clockTicks = Double(sysconf(Int32(_SC_CLK_TCK)))
        return ticks.filter { inTree($0.key) }.values.reduce(0, +) / max(clockTicks, 1)
    }
}

extension ProgressWatch {
    /// What the pipeline has done so far in a database, as one string that changes whenever a stage run ends, a
    /// job is claimed or ends, an email is filed or a request moves: progress for `wait(until:progress:)`.
    public static func databaseActivity(_ pool: PostgresPool) async throws -> String {
        try await pool.withConnection { connection in
            try connection.query(
                """
                SELECT concat_ws('/',
                    (SELECT count(*) FROM stage_runs WHERE finished_at IS NOT NULL),
                    (SELECT count(*) FROM stage_runs),
                    (SELECT coalesce(sum(attempts), 0) FROM jobs),
                    (SELECT count(*) FROM jobs WHERE status = 'succeeded'),
                    (SELECT count(*) FROM intake_messages),
                    (SELECT count(*) FROM post_requests WHERE status IN ('complete', 'failed'))) AS activity
                """
            ).first!.decode("activity")
        }
    }
}
