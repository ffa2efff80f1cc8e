import Foundation

/// Separate "hosts" on this machine, for the several-hosts test: one network namespace each (`ip netns add`),
/// joined to this machine by a veth pair with addresses of its own (`10.N.I.1` on this side, `10.N.I.2`
/// inside), and a forwarder on each pair's host end that carries the services' ports to their loopback
/// listeners, so that PostgreSQL, the object store and the IMAP server keep listening on loopback only.
/// No traffic leaves the machine: the namespaces have no other interface and no route beyond their pair.
///
/// `make` returns nil with the reason where namespaces cannot be made (no `CAP_SYS_ADMIN`, no `ip`); the
/// caller then runs its scenario on loopback and says so. `remove()` deletes everything it made (deleting a
/// namespace deletes its end of the pair, and that deletes the other end).
public final class NetworkHosts: @unchecked Sendable {
    /// One namespace: where a test reaches what runs inside it, and where what runs inside reaches this machine.
    public struct Host: Sendable {
        public let namespace: String
        /// The namespace's own address (its end of the pair).
        public let address: String
        /// This machine's end of the pair: the services' forwarded ports answer there.
        public let gateway: String
    }

    /// A step of making the hosts that failed.
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    public let hosts: [Host]
    private var forwarders: [Process] = []
    private var removed = false

    static let ip = "/usr/sbin/ip"

    private init(hosts: [Host]) {
        self.hosts = hosts
    }

    /// Makes `count` namespaces and forwards `ports` (loopback listeners of this machine) to each host's
    /// gateway address; nil and the reason if this machine does not let the test make namespaces.
    /// `insideLoopback` ports are also forwarded from each namespace's own loopback to its gateway, for a
    /// client that treats loopback differently (the daemon insists on TLS for IMAP beyond loopback, and the
    /// test Dovecot has none): a sidecar, as a TLS tunnel would be in production.
    public static func make(count: Int, forwarding ports: [Int], insideLoopback: [Int] = []) throws -> (hosts: NetworkHosts?, refusal: String?) {
        guard FileManager.default.isExecutableFile(atPath: ip) else { return (nil, "\(ip) is not installed") }
        sweepAbandoned()
        let tag = "\(getpid())"
        let subnet = try freeSubnet()
        // A namespace first: if that is refused, nothing else is tried.
        let probe = "drs\(tag)h0"
        let (status, output) = run([ip, "netns", "add", probe])
        guard status == 0 else { return (nil, "`ip netns add` was refused: \(output.trimmingCharacters(in: .whitespacesAndNewlines))") }
        var hosts: [Host] = []
        do {
            for index in 0..<count {
                let namespace = "drs\(tag)h\(index)"
                let outside = "drv\(tag)o\(index)", inside = "drv\(tag)i\(index)"
                let host = Host(namespace: namespace, address: "10.\(subnet).\(index).2", gateway: "10.\(subnet).\(index).1")
                if index > 0 { try check([ip, "netns", "add", namespace]) }
                hosts.append(host)
                try check([ip, "link", "add", outside, "type", "veth", "peer", "name", inside])
                try check([ip, "link", "set", inside, "netns", namespace])
                try check([ip, "addr", "add", "\(host.gateway)/24", "dev", outside])
                try check([ip, "link", "set", outside, "up"])
                try check([ip, "-n", namespace, "addr", "add", "\(host.address)/24", "dev", inside])
                try check([ip, "-n", namespace, "link", "set", inside, "up"])
                try check([ip, "-n", namespace, "link", "set", "lo", "up"])
            }
        } catch {
            NetworkHosts(hosts: hosts.isEmpty ? [Host(namespace: probe, address: "", gateway: "")] : hosts).remove()
            throw error
        }
        let result = NetworkHosts(hosts: hosts)
        do {
            try result.startForwarder(
                launcher: [], rules: result.hosts.flatMap { host in ports.map { "\(host.gateway):\($0)=127.0.0.1:\($0)" } }
            )
            for host in result.hosts where !insideLoopback.isEmpty {
                try result.startForwarder(launcher: prefix(for: host), rules: insideLoopback.map { "127.0.0.1:\($0)=\(host.gateway):\($0)" })
            }
        } catch {
            result.remove()
            throw error
        }
        return (result, nil)
    }

    /// `ip netns exec NAMESPACE`, to put before a command that must run on `host`.
    public static func prefix(for host: Host) -> [String] { [ip, "netns", "exec", host.namespace] }

    /// Stops the forwarder and deletes the namespaces (and with them both ends of every pair).
    public func remove() {
        guard !removed else { return }
        removed = true
        for forwarder in forwarders where forwarder.isRunning {
            kill(forwarder.processIdentifier, SIGKILL)
            forwarder.waitUntilExit()
        }
        for host in hosts { _ = Self.run([Self.ip, "netns", "delete", host.namespace]) }
    }

    deinit { remove() }

    // MARK: Forwarding

    /// Starts `Tests/Network/tcp_forward.py` with `rules` (after `launcher`, to run it in a namespace) and
    /// waits until it has bound every listener.
    private func startForwarder(launcher: [String], rules: [String]) throws {
        guard let python = ProcessInfo.processInfo.environment["DRSOCIAL_PYTHON"] else { throw MissingService(name: "DRSOCIAL_PYTHON") }
        let process = Process()
        let pipe = Pipe()
        let command = launcher + [python, TestEnvironment.repositoryRoot.appending(path: "Tests/Network/tcp_forward.py").path] + rules
        process.executableURL = URL(filePath: command[0])
        process.arguments = Array(command.dropFirst())
        process.standardOutput = pipe
        process.standardInput = FileHandle.nullDevice
        try process.run()
        forwarders.append(process)
        // "ready" once every listener is bound; end of file if it failed (its error went to stderr).
        let line = String(decoding: pipe.fileHandleForReading.availableData, as: UTF8.self)
        guard line.hasPrefix("ready") else { throw Failure(description: "the test's TCP forwarder (Tests/Network/tcp_forward.py) did not start") }
    }

    // MARK: Commands

    /// Deletes the namespaces of test runs that ended without removing theirs (killed): their names carry
    /// the process id of the run that made them, and that process is gone.
    private static func sweepAbandoned() {
        let (_, list) = run([ip, "netns", "list"])
        for line in list.split(separator: "\n") {
            let name = String(line.split(separator: " ").first ?? "")
            guard name.hasPrefix("drs"), let h = name.lastIndex(of: "h"), let pid = Int32(name[name.index(name.startIndex, offsetBy: 3)..<h]),
                pid != getpid(), kill(pid, 0) != 0, errno == ESRCH
            else { continue }
            run([ip, "netns", "delete", name])
        }
    }

    /// A second octet no address of this machine uses, so that two test runs side by side do not collide.
    private static func freeSubnet() throws -> Int {
        let (_, addresses) = run([ip, "-o", "-4", "addr", "show"])
        let start = 64 + Int(getpid() % 128)
        for offset in 0..<128 {
            let candidate = 64 + (start - 64 + offset) % 128
            if !addresses.contains(" 10.\(candidate).") { return candidate }
        }
        throw Failure(description: "no free 10.N.0.0/16 for the test's namespaces")
    }

    private static func check(_ arguments: [String]) throws {
        let (status, output) = run(arguments)
        guard status == 0 else { throw Failure(description: "`\(arguments.joined(separator: " "))` failed: \(output)") }
    }

    @discardableResult
    static func run(_ arguments: [String]) -> (Int32, String) {
        let process = Process()
        let pipe = Pipe()
        process.executableURL = URL(filePath: arguments[0])
        process.arguments = Array(arguments.dropFirst())
        process.standardOutput = pipe
        process.standardError = pipe
        process.standardInput = FileHandle.nullDevice
        do { try process.run() } catch { return (-1, "\(error)") }
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, output)
    }
}
