import Foundation

extension IsolatedWorkers.Configuration: CustomStringConvertible {
    /// The limits, never the environment children are made from (the daemon's own, secrets included): a
    /// configuration printed in a log line must not carry `DATABASE_URL` or a key.
    public var description: String {
        "IsolatedWorkers.Configuration(executable: \(executable?.path ?? "none"), cpuSeconds: \(cpuSeconds), "
            + "memoryBytes: \(memoryBytes), wallSeconds: \(wallSeconds), stallSeconds: \(stallSeconds.map { "\($0)" } ?? "none"), "
            + "niceness: \(niceness), idleScheduling: \(idleScheduling), "
            + "environment: \(environment.count) variables, not shown)"
    }
}
