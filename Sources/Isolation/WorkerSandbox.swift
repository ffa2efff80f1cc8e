import CSandbox
import Glibc
import Synchronization

/// The walls a media-worker child puts up around itself before it serves its first request, on top of its CPU,
/// memory and time limits: a seccomp-BPF filter under which it cannot open a network socket (only `AF_UNIX`
/// ones), and, where the kernel has Landlock (Linux 5.13 and later), a ruleset under which it may read only the
/// system folders the libraries load from and the data folders its configuration names, and write only its
/// writable folders. A hostile file that takes over libav, Tesseract, pocketsphinx, libass or GMime then has no
/// way to send what it finds anywhere, and finds little. Both are unprivileged and last for the child's life.
///
/// ```swift
/// // In the child, before the first request:
/// let status = try WorkerSandbox.enter(.init(readable: [storage.path], writable: [temporary.path]))
/// ```
public enum WorkerSandbox {
    /// Folders every child may read (and run code from): libraries, their data (Tesseract's models,
    /// pocketsphinx's, fonts), fontconfig's settings and caches, and what the Swift and OpenMP runtimes read
    /// about this process and the processor. Paths missing on this system are left out.
    static let systemReadable = [
        "/usr", "/lib", "/lib32", "/lib64", "/bin", "/sbin", "/etc", "/var/cache/fontconfig",
        "/proc/self", "/proc/cpuinfo", "/proc/meminfo", "/proc/stat", "/sys/devices/system/cpu", "/sys/fs/cgroup",
        "/dev/zero", "/dev/urandom", "/dev/random",
    ]

    /// Files every child may read and write.
    static let systemWritable = ["/dev/null"]

    /// What a child put up.
    public struct Status: Codable, Sendable, Equatable, CustomStringConvertible {
        /// The seccomp filter against network sockets is installed.
        public var networkDenied: Bool
        /// The Landlock ABI the file rules were made for, or nil when files are not restricted.
        public var landlockABI: Int?
        /// Why a wall is missing, for the logs.
        public var notes: [String]

        public var description: String {
            let files = landlockABI.map { "Landlock ABI \($0)" } ?? "no file rules"
            let network = networkDenied ? "no network sockets" : "network sockets allowed"
            return ([network, files] + notes).joined(separator: "; ")
        }
    }

    /// The walls this process entered, or nil before `enter` (or outside a child).
    public static var current: Status? { entered.withLock { $0 } }
    private static let entered = Mutex<Status?>(nil)

    /// Shuts this process in, for good: Landlock file rules first (when the kernel has them), then the
    /// network filter. Call it on the thread that serves requests, before it starts any other thread: Landlock
    /// binds the calling thread and the threads and processes it starts afterwards. A missing Landlock or an
    /// unknown processor architecture is noted in the status; any other failure throws, and the child must
    /// then not serve.
    @discardableResult
    public static func enter(_ configuration: Configuration) throws -> Status {
        var status = Status(networkDenied: false, landlockABI: nil, notes: [])
        guard configuration.enabled else {
            status.notes.append("the sandbox is off (MEDIA_SANDBOX=off)")
            entered.withLock { $0 = status }
            return status
        }
        let abi = drsocial_landlock_abi()
        if abi > 0 {
            try restrictFiles(configuration, abi: abi)
            status.landlockABI = Int(abi)
        } else {
            status.notes.append("Landlock is not available on this kernel (\(String(cString: strerror(-abi)))): files are not restricted")
        }
        if drsocial_sandbox_network_filter_supported() == 1 {
            try check(drsocial_sandbox_deny_network(), "the seccomp network filter could not be installed")
            status.networkDenied = true
        } else {
            status.notes.append("no seccomp network filter for this processor architecture")
        }
        entered.withLock { $0 = status }
        return status
    }

    /// What this kernel and build offer, seen from the daemon (nothing is installed): the Landlock ABI or nil,
    /// and whether the network filter knows this architecture.
    public static var support: (landlockABI: Int?, networkFilter: Bool) {
        let abi = drsocial_landlock_abi()
        return (abi > 0 ? Int(abi) : nil, drsocial_sandbox_network_filter_supported() == 1)
    }

    private static func restrictFiles(_ configuration: Configuration, abi: Int32) throws {
        let ruleset = drsocial_landlock_create(abi)
        try check(ruleset, "the Landlock ruleset could not be created")
        var enforced = false
        defer { if !enforced { close(ruleset) } }
        let rules =
            (systemReadable + configuration.readable).map { ($0, Int32(0)) }
            + (systemWritable + configuration.writable).map { ($0, Int32(1)) }
        for (path, writable) in rules {
            let result = drsocial_landlock_allow(ruleset, abi, path, writable)
            // A folder this system lacks (or that is not there yet) is simply not granted.
            if result == -ENOENT || result == -ENOTDIR || result == -EACCES { continue }
            try check(result, "Landlock refused a rule for \(path)")
        }
        enforced = true
        try check(drsocial_landlock_enforce(ruleset), "the Landlock rules could not be enforced")
    }

    private static func check(_ result: Int32, _ what: String) throws {
        guard result < 0 else { return }
        throw IsolationError(description: "\(what): \(String(cString: strerror(-result))); set MEDIA_SANDBOX=off to run the media workers without the sandbox")
    }
}
