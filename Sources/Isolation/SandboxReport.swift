import Logging
import NIOConcurrencyHelpers

/// Says once per process, in the daemon's log, how its media-worker children are sandboxed, or what is missing
/// (the children themselves log nowhere the operator reads).
enum SandboxReport {
    private static let said = NIOLockedValueBox<Set<String>>([])

    /// Logs what children started with `configuration` will get on this kernel, the first time it differs
    /// from what was already said.
    static func once(_ configuration: WorkerSandbox.Configuration, logger: Logger) {
        let support = WorkerSandbox.support
        let key = "\(configuration.enabled) \(support.landlockABI ?? 0) \(support.networkFilter)"
        guard said.withLockedValue({ $0.insert(key).inserted }) else { return }
        guard configuration.enabled else {
            logger.warning("MEDIA_SANDBOX=off: media-worker children run without the sandbox (they may open network sockets and read any file)")
            return
        }
        if !support.networkFilter {
            logger.error("no seccomp network filter for this processor architecture: media-worker children can open network sockets")
        }
        if let abi = support.landlockABI {
            logger.info(
                "media-worker children are sandboxed",
                metadata: [
                    "network": "\(support.networkFilter ? "AF_UNIX only" : "open")", "landlock_abi": "\(abi)",
                    "readable": "\(configuration.readable.joined(separator: ":"))",
                    "writable": "\(configuration.writable.joined(separator: ":"))",
                ]
            )
        } else {
            logger.warning("Landlock is not available on this kernel: media-worker children can read any file this user can (the seccomp network filter still applies)")
        }
    }
}
