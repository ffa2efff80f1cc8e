import CSandbox
import Glibc

/// `sandbox-probe`, for tests only: tries one thing a sandboxed child should be refused (or allowed) and says
/// what happened. A child registers it only when `DRSOCIAL_SANDBOX_PROBES=1` is in its environment, which the
/// daemon never sets: the tests of the sandbox set it.
public enum SandboxProbeTask: IsolatedTask {
    /// The environment variable that makes a child register this task.
    public static let environmentSwitch = "DRSOCIAL_SANDBOX_PROBES"

    /// What to try.
    public enum Input: Codable, Sendable {
        /// Open a TCP socket and connect to 127.0.0.1:`port`.
        case connectTCP(port: UInt16)
        /// Make an `AF_UNIX` socket pair and pass a byte through it.
        case unixSocketPair
        /// Open `path` and read it.
        case read(path: String)
        /// Create or truncate `path` and write a byte to it.
        case write(path: String)
        /// Open an `AF_INET` socket through another system-call ABI than the process's own (x86_64 only).
        case socketThroughABI(ForeignABI)
        /// Nothing: just report the sandbox.
        case status
    }

    /// A system-call ABI an x86_64 process can still enter.
    public enum ForeignABI: Int32, Codable, Sendable {
        /// x86_64 numbers with the x32 bit set.
        case x32 = 1
        /// The i386 table, through `int $0x80`.
        case i386 = 2
    }

    /// What happened.
    public struct Answer: Codable, Sendable {
        /// The attempt succeeded.
        public var succeeded: Bool
        /// The errno of the call that failed, 0 when none did.
        public var errorNumber: Int32
        /// The child's sandbox.
        public var sandbox: WorkerSandbox.Status?
    }

    public static let verb = "sandbox-probe"

    public static func perform(_ input: Input) throws -> Answer {
        let error = attempt(input)
        return Answer(succeeded: error == 0, errorNumber: error, sandbox: WorkerSandbox.current)
    }

    /// 0, or the errno of the first call that failed.
    private static func attempt(_ input: Input) -> Int32 {
        switch input {
        case .status:
            return 0
        case .connectTCP(let port):
            let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            guard socket >= 0 else { return errno }
            defer { close(socket) }
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = port.bigEndian
            address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
            let connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            return connected == 0 ? 0 : errno
        case .unixSocketPair:
            var pair: [Int32] = [-1, -1]
            guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &pair) == 0 else { return errno }
            defer { pair.forEach { close($0) } }
            var byte: UInt8 = 42
            guard write(pair[0], &byte, 1) == 1 else { return errno }
            byte = 0
            guard read(pair[1], &byte, 1) == 1 else { return errno }
            return byte == 42 ? 0 : EIO
        case .socketThroughABI(let abi):
            let result = drsocial_sandbox_socket_through_abi(abi.rawValue)
            return result == 0 ? 0 : -result
        case .read(let path):
            let file = open(path, O_RDONLY | O_CLOEXEC)
            guard file >= 0 else { return errno }
            defer { close(file) }
            var buffer = [UInt8](repeating: 0, count: 64)
            return read(file, &buffer, buffer.count) >= 0 ? 0 : errno
        case .write(let path):
            let file = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
            guard file >= 0 else { return errno }
            defer { close(file) }
            var byte: UInt8 = 42
            return write(file, &byte, 1) == 1 ? 0 : errno
        }
    }
}
