public import Foundation
public import Logging
import Synchronization

/// Runs isolated tasks in media-worker children (`drsocial-intake media-worker serve`, the same executable)
/// under CPU-time, memory and wall-clock limits, so a crash or hang inside a C library on a hostile file fails
/// that task with a clear message and never takes the daemon down. Children serve many tasks one after
/// another: a task does not pay for starting a process and loading the libraries. A child is replaced after a
/// crash, a hang, `maxTasksPerChild` tasks, or once it holds more than a quarter of its memory limit. Each child
/// shuts itself in before its first task (`WorkerSandbox`): no network sockets, and, where the kernel has
/// Landlock, only the system folders and `sandbox`'s folders to read and write.
///
/// ```swift
/// let workers = IsolatedWorkers(configuration: .init(executable: IsolatedWorkers.locateExecutable()))
/// let probe = try await workers.run(ProbeTask.self, .init(path: file.path, limits: limits))
/// ```
public struct IsolatedWorkers: Sendable {
    /// Where the worker executable is and what each task may use.
    public struct Configuration: Sendable {
        /// The `drsocial-intake` executable; nil runs the work in this process (tests of pure logic only).
        public var executable: URL?
        /// CPU seconds one task may use. Default 120.
        public var cpuSeconds: Int
        /// Address-space limit of a child in bytes. Default 4 GiB.
        public var memoryBytes: Int
        /// Wall-clock seconds before a task's child is killed. Default 300.
        public var wallSeconds: Double
        /// Seconds a busy child may make no progress (none of its threads runs or waits for a core) before it is
        /// killed as hung (`StallWatchdog`), however long its wall-clock limit; nil never. Default 60.
        public var stallSeconds: Double?
        /// How much children yield the CPU (`nice`, 0–19). Default 10: media work is batch work, and the
        /// daemon's own threads (web requests, uploads, mail polling) must not queue behind it for a core.
        public var niceness: Int
        /// Whether children run under `SCHED_IDLE` (`chrt --idle 0`): they get a core only when nothing else on
        /// it wants one, and any other thread that wakes takes the core from them at once, where a niced child
        /// keeps it until the scheduler's next decision. `niceness` then does not apply. Default false.
        public var idleScheduling: Bool
        /// Idle children kept warm for the next task. Default 2.
        public var maxIdleChildren: Int
        /// Tasks a child serves before it is replaced. Default 1,000: a start costs about 0.1 s of CPU, which at
        /// 64 tasks a child was 4 % of an email burst's CPU; a child that grows is replaced by its resident size.
        public var maxTasksPerChild: Int
        /// The environment children are made from (filtered by `WorkerEnvironment`). Default: this process's.
        public var environment: [String: String]
        /// What children may read and write, and whether they are sandboxed at all. Default: sandboxed, reading
        /// the paths of `MEDIA_SANDBOX_READ` in `environment` and writing the temporary folder
        /// (`WorkerSandbox.Configuration(environment:)`).
        public var sandbox: WorkerSandbox.Configuration

        public init(
            executable: URL?,
            cpuSeconds: Int = 120,
            memoryBytes: Int = 4 << 30,
            wallSeconds: Double = 300,
            stallSeconds: Double? = 60,
            niceness: Int = 10,
            idleScheduling: Bool = false,
            maxIdleChildren: Int = 2,
            maxTasksPerChild: Int = 1000,
            environment: [String: String] = ProcessInfo.processInfo.environment,
            sandbox: WorkerSandbox.Configuration? = nil
        ) {
            self.executable = executable
            self.cpuSeconds = cpuSeconds
            self.memoryBytes = memoryBytes
            self.wallSeconds = wallSeconds
            self.stallSeconds = stallSeconds.flatMap { $0 > 0 ? $0 : nil }
            self.niceness = min(max(niceness, 0), 19)
            self.idleScheduling = idleScheduling
            self.maxIdleChildren = max(0, maxIdleChildren)
            self.maxTasksPerChild = max(1, maxTasksPerChild)
            self.environment = environment
            self.sandbox = sandbox ?? WorkerSandbox.Configuration(environment: environment)
        }
    }

    public let configuration: Configuration
    private let pool: ChildPool

    /// - Parameters:
    ///   - configuration: the executable and the limits.
    ///   - logger: says once per process how the children are sandboxed, or why they are not entirely.
    public init(configuration: Configuration, logger: Logger = Logger(label: "drsocial.media-worker")) {
        self.configuration = configuration
        pool = ChildPool(configuration: configuration)
        if configuration.executable != nil { SandboxReport.once(configuration.sandbox, logger: logger) }
    }

    /// Runs `task` on `input` in a child; `cpuSeconds` and `wallSeconds` override the configured limits for
    /// longer work (composing a reel). Without an executable the task runs in this process.
    public func run<T: IsolatedTask>(_ task: T.Type, _ input: T.Input, cpuSeconds: Int? = nil, wallSeconds: Double? = nil) async throws -> T.Answer {
        guard configuration.executable != nil else { return try T.perform(input) }
        let request = try JSONEncoder().encode(
            WorkerRequest(verb: T.verb, input: try JSONEncoder().encode(input), cpuSeconds: cpuSeconds ?? configuration.cpuSeconds)
        )
        return try await exchange(request, verb: T.verb, serves: [T.verb], wallSeconds: wallSeconds ?? configuration.wallSeconds)
    }

    /// Starts up to `children` new children (at most `maxIdleChildren`, all at once) and has each load the engines
    /// of `tasks`, so that the first of those tasks after a start does not pay for loading a model (pocketsphinx:
    /// 0.35 s). The children then wait in the pool, known to serve `tasks` first. Returns how many warmed up;
    /// a child that fails to is gone, and the error is thrown after the others finished.
    @discardableResult
    public func warmUp(_ tasks: [any WarmableTask.Type], children: Int) async throws -> Int {
        guard configuration.executable != nil, !tasks.isEmpty else { return 0 }
        let verbs = tasks.map { $0.verb }
        let request = try JSONEncoder().encode(
            WorkerRequest(verb: WarmUp.verb, input: try JSONEncoder().encode(verbs), cpuSeconds: configuration.cpuSeconds)
        )
        return try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<min(children, configuration.maxIdleChildren) {
                group.addTask {
                    let _: [String] = try await exchange(
                        request,
                        verb: WarmUp.verb,
                        serves: Set(verbs),
                        wallSeconds: configuration.wallSeconds,
                        newChild: true
                    )
                }
            }
            var warmed = 0
            var failure: (any Error)?
            while let result = await group.nextResult() {
                switch result {
                case .success: warmed += 1
                case .failure(let error): failure = failure ?? error
                }
            }
            if let failure { throw failure }
            return warmed
        }
    }

    /// Sends `request` to a child (the pool's choice for `verb`, or a new one), which is then known to serve
    /// `serves` warm, and decodes its answer.
    private func exchange<Answer: Codable>(
        _ request: Data,
        verb: String,
        serves: Set<String>,
        wallSeconds: Double,
        newChild: Bool = false
    ) async throws -> Answer {
        let pool = self.pool
        let output = try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Data, any Error>) in
            DispatchQueue.global().async {
                continuation.resume(
                    with: Result { try pool.exchange(request, verb: verb, serves: serves, wallSeconds: wallSeconds, newChild: newChild) }
                )
            }
        }
        let response: WorkerResponse<Answer>
        do {
            response = try AnswerCoding.decode(WorkerResponse<Answer>.self, from: output)
        } catch {
            throw IsolationError.badAnswer("\(error); it begins: " + String(decoding: output.prefix(200), as: UTF8.self))
        }
        if let result = response.result { return result }
        throw IsolationError.failed(response.error ?? "the media worker gave no reason")
    }

    /// The process ids of the children waiting for work (for tests and diagnostics).
    public var idleChildPIDs: [pid_t] { pool.idlePIDs }
    /// The verbs each idle child serves warm, oldest first (for tests).
    var idleChildVerbs: [Set<String>] { pool.idleVerbs }

    /// Finds the `drsocial-intake` executable: `DRSOCIAL_EXECUTABLE`, this process when it is the daemon,
    /// or a sibling of this process's executable (the test runner's build folder).
    public static func locateExecutable(environment: [String: String] = ProcessInfo.processInfo.environment) -> URL? {
        if let explicit = environment["DRSOCIAL_EXECUTABLE"], !explicit.isEmpty { return URL(filePath: explicit) }
        let me = URL(filePath: "/proc/self/exe").resolvingSymlinksInPath()
        if me.lastPathComponent == "drsocial-intake" { return me }
        var folder = me.deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = folder.appending(path: "drsocial-intake")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            folder = folder.deletingLastPathComponent()
        }
        return nil
    }
}

/// The warm children of one `IsolatedWorkers`: a task takes an idle child or starts one, and gives it back
/// while it is healthy, young and small.
final class ChildPool: Sendable {
    private let configuration: IsolatedWorkers.Configuration
    private let idle = Mutex<[WorkerChild]>([])

    init(configuration: IsolatedWorkers.Configuration) {
        self.configuration = configuration
        // Writing to a child that just died must fail the write, not kill the daemon.
        signal(SIGPIPE, SIG_IGN)
    }

    var idlePIDs: [pid_t] { idle.withLock { $0.map(\.pid) } }
    /// What each idle child serves warm, oldest first.
    var idleVerbs: [Set<String>] { idle.withLock { $0.map(\.verbs) } }

    /// Runs `request` (a task of `verb`) in an idle child, preferring one that served `verb` before and so
    /// keeps its engine loaded (`ReusedEngines`), or in a new child (always, with `newChild`: a warm-up); the
    /// child then serves `serves` warm.
    func exchange(_ request: Data, verb: String, serves: Set<String>, wallSeconds: Double, newChild: Bool = false) throws -> Data {
        guard let executable = configuration.executable else { throw IsolationError.noExecutable }
        let idleChild = idle.withLock { children -> WorkerChild? in
            guard !newChild, let index = Self.choice(for: verb, among: children.map(\.verbs)) else { return nil }
            return children.remove(at: index)
        }
        let child =
            try idleChild
            ?? WorkerChild(
                executable: executable,
                memoryBytes: configuration.memoryBytes,
                niceness: configuration.niceness,
                idleScheduling: configuration.idleScheduling,
                environment: WorkerEnvironment.child(of: configuration.environment),
                sandbox: configuration.sandbox
            )
        do {
            let answer = try child.exchange(request, serves: serves, wallSeconds: wallSeconds, stallSeconds: configuration.stallSeconds)
            giveBack(child)
            return answer
        } catch {
            child.retire()
            throw error
        }
    }

    /// Which idle child takes a task of `verb`, given the verbs each has served (oldest first): the latest given
    /// back of those that served `verb`, else the latest given back; nil when none is idle.
    static func choice(for verb: String, among served: [Set<String>]) -> Int? {
        served.lastIndex { $0.contains(verb) } ?? (served.isEmpty ? nil : served.count - 1)
    }

    private func giveBack(_ child: WorkerChild) {
        let tooBig = (child.residentBytes ?? 0) > configuration.memoryBytes / 4
        guard child.healthy, child.served < configuration.maxTasksPerChild, !tooBig else {
            child.retire()
            return
        }
        let kept = idle.withLock { children -> Bool in
            guard children.count < configuration.maxIdleChildren else { return false }
            children.append(child)
            return true
        }
        if !kept { child.retire() }
    }

    deinit {
        for child in idle.withLock({ $0 }) { child.retire() }
    }
}
