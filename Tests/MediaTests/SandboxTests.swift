import Foundation
import Glibc
import Isolation
import TestSupport
import Testing

/// The media-worker child's sandbox: it cannot open a network socket (seccomp), and where the kernel has
/// Landlock it can read only the system folders and the folders its configuration names.
@Suite(.enabled(if: TestEnvironment.available(TestEnvironment.executable != nil)))
struct SandboxTests {
    /// Workers whose children serve the sandbox probe, with `sandbox`.
    func workers(_ sandbox: WorkerSandbox.Configuration) -> IsolatedWorkers {
        var environment = ProcessInfo.processInfo.environment
        environment[SandboxProbeTask.environmentSwitch] = "1"
        return IsolatedWorkers(
            configuration: .init(executable: TestEnvironment.executable, wallSeconds: 120, environment: environment, sandbox: sandbox)
        )
    }

    @Test func aChildCannotOpenATCPSocketToALoopbackListener() async throws {
        let listener = try LoopbackListener()
        let answer = try await workers(.init()).run(SandboxProbeTask.self, .connectTCP(port: listener.port))
        #expect(answer.sandbox?.networkDenied == true)
        #expect(!answer.succeeded)
        #expect(answer.errorNumber == EACCES, "socket(AF_INET) is refused with EACCES, not \(answer.errorNumber)")
        #expect(!listener.hasPendingConnection(), "the listener saw a connection")
    }

    /// The control: the same probe with the sandbox off connects, so the test above can fail.
    @Test func withTheSandboxOffTheSameChildConnects() async throws {
        let listener = try LoopbackListener()
        let answer = try await workers(.init(enabled: false)).run(SandboxProbeTask.self, .connectTCP(port: listener.port))
        #expect(answer.sandbox?.networkDenied == false)
        #expect(answer.succeeded, "errno \(answer.errorNumber)")
        #expect(listener.hasPendingConnection())
    }

    @Test func aChildCanStillUseUnixSockets() async throws {
        let answer = try await workers(.init()).run(SandboxProbeTask.self, .unixSocketPair)
        #expect(answer.sandbox?.networkDenied == true)
        #expect(answer.succeeded, "errno \(answer.errorNumber)")
    }

    #if arch(x86_64)
    /// The filter checks the ABI before the number: a socket asked for through x32 numbers (the x32 bit set)
    /// or the i386 table (`int $0x80`) would otherwise be read as whatever x86_64 call has that number. The
    /// child is killed with SIGSYS instead.
    @Test(arguments: [SandboxProbeTask.ForeignABI.x32, .i386])
    func aSocketThroughAnotherABIKillsTheChild(abi: SandboxProbeTask.ForeignABI) async throws {
        let error = await #expect(throws: IsolationError.self) {
            try await workers(.init()).run(SandboxProbeTask.self, .socketThroughABI(abi))
        }
        #expect(error?.diedOnInput == true, "\(error?.description ?? "no error")")
        #expect(error?.description.contains("SIGSYS") == true, "\(error?.description ?? "no error")")
    }

    /// The control: with the sandbox off the same call returns to the child (a socket where the kernel has
    /// that ABI, ENOSYS where it does not), so the test above can fail.
    @Test(arguments: [SandboxProbeTask.ForeignABI.x32, .i386])
    func withTheSandboxOffAForeignABICallReturns(abi: SandboxProbeTask.ForeignABI) async throws {
        let answer = try await workers(.init(enabled: false)).run(SandboxProbeTask.self, .socketThroughABI(abi))
        #expect(answer.succeeded || answer.errorNumber == ENOSYS, "errno \(answer.errorNumber)")
    }
    #endif

    @Test(.enabled(if: WorkerSandbox.support.landlockABI != nil, "the kernel has no Landlock"))
    func aChildReadsOnlyItsInputsAndItsFolder() async throws {
        let secretFolder = try TestEnvironment.temporaryDirectory("sandbox-secret")
        let secret = secretFolder.appending(path: "secret.txt")
        try Data("not for the child".utf8).write(to: secret)
        let output = try TestEnvironment.temporaryDirectory("sandbox-output")
        defer {
            try? FileManager.default.removeItem(at: secretFolder)
            try? FileManager.default.removeItem(at: output)
        }
        let input = TestEnvironment.testmedia("photo.jpg")
        let workers = workers(.init(readable: [input.deletingLastPathComponent().path], writable: [output.path]))

        let status = try await workers.run(SandboxProbeTask.self, .status)
        #expect(status.sandbox?.landlockABI != nil, "\(status.sandbox?.description ?? "no sandbox")")
        let readInput = try await workers.run(SandboxProbeTask.self, .read(path: input.path))
        #expect(readInput.succeeded, "the input could not be read: errno \(readInput.errorNumber)")
        let made = output.appending(path: "made.bin").path
        let write = try await workers.run(SandboxProbeTask.self, .write(path: made))
        #expect(write.succeeded, "its own folder could not be written: errno \(write.errorNumber)")
        let readBack = try await workers.run(SandboxProbeTask.self, .read(path: made))
        #expect(readBack.succeeded, "errno \(readBack.errorNumber)")

        let readSecret = try await workers.run(SandboxProbeTask.self, .read(path: secret.path))
        #expect(!readSecret.succeeded, "the child read a file outside its folders")
        #expect(readSecret.errorNumber == EACCES)
        let writeBeside = try await workers.run(SandboxProbeTask.self, .write(path: secretFolder.appending(path: "dropped").path))
        #expect(!writeBeside.succeeded, "the child wrote outside its folders")
        // The daemon's environment (its secrets) through /proc: Landlock keeps a child away from processes
        // outside its sandbox.
        let environ = try await workers.run(SandboxProbeTask.self, .read(path: "/proc/\(getpid())/environ"))
        #expect(!environ.succeeded, "the child read the daemon's environment")

        // The control: unsandboxed, the same child reads the secret.
        let open = try await self.workers(.init(enabled: false, readable: [], writable: [output.path]))
            .run(SandboxProbeTask.self, .read(path: secret.path))
        #expect(open.succeeded, "errno \(open.errorNumber)")
    }

    @Test func theSwitchAndTheChildsArguments() {
        #expect(!WorkerSandbox.Configuration(environment: ["MEDIA_SANDBOX": "off"]).enabled)
        #expect(WorkerSandbox.Configuration(environment: [:]).enabled)
        #expect(WorkerSandbox.Configuration.isOn("maybe") == nil)
        let configuration = WorkerSandbox.Configuration(environment: ["MEDIA_SANDBOX_READ": "/srv/a:/srv/b"], readable: ["/data"], writable: ["/tmp/x"])
        #expect(configuration.arguments == ["--read", "/data", "--read", "/srv/a", "--read", "/srv/b", "--write", "/tmp/x"])
        #expect(WorkerSandbox.Configuration(enabled: false).arguments == ["--no-sandbox"])
    }

    @Test func theProbeIsNotServedWithoutItsSwitch() async throws {
        var environment = ProcessInfo.processInfo.environment
        environment[SandboxProbeTask.environmentSwitch] = nil
        let workers = IsolatedWorkers(configuration: .init(executable: TestEnvironment.executable, wallSeconds: 120, environment: environment))
        await #expect(throws: IsolationError.self) { try await workers.run(SandboxProbeTask.self, .status) }
    }
}

/// A TCP listener on 127.0.0.1 that never accepts by itself: a connection the kernel completed waits in its
/// backlog, where `hasPendingConnection` finds it.
private final class LoopbackListener {
    let fd: Int32
    let port: UInt16

    init() throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ready = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, length) == 0 && listen(fd, 8) == 0 && getsockname(fd, $0, &length) == 0
            }
        }
        guard fd >= 0, ready else {
            if fd >= 0 { close(fd) }
            throw MissingService(name: "a loopback listener")
        }
        self.fd = fd
        port = UInt16(bigEndian: address.sin_port)
    }

    /// Takes a waiting connection, if there is one. A connect the child made has completed before its answer
    /// came back (loopback handshakes finish inside connect), so no waiting is needed.
    func hasPendingConnection() -> Bool {
        let connection = accept(fd, nil, nil)
        guard connection >= 0 else { return false }
        close(connection)
        return true
    }

    deinit { close(fd) }
}
