import CSandbox
public import Foundation

/// The tasks a child serves, by verb: the child side of isolation. The daemon's hidden `media-worker serve`
/// command builds one with every module's tasks and serves requests on its standard input until it closes.
public struct IsolatedTaskRegistry: Sendable {
    private var handlers: [String: @Sendable (Data) -> Data] = [:]
    private var warmers: [String: @Sendable () throws -> Void] = [:]

    public init() {}

    /// Adds a task; registering one verb twice is a programming error.
    public mutating func register<T: IsolatedTask>(_ task: T.Type) {
        precondition(handlers[T.verb] == nil, "isolated task '\(T.verb)' registered twice")
        handlers[T.verb] = { input in
            let response: WorkerResponse<T.Answer>
            do {
                response = .init(result: try T.perform(try JSONDecoder().decode(T.Input.self, from: input)), error: nil)
            } catch {
                response = .init(result: nil, error: String(describing: error))
            }
            return (try? AnswerCoding.encode(response)) ?? Self.errorAnswer("the answer could not be encoded")
        }
        if let warmable = T.self as? any WarmableTask.Type { warmers[T.verb] = { try warmable.warmUp() } }
    }

    /// The registered verbs, sorted.
    public var verbs: [String] { handlers.keys.sorted() }

    /// Runs one request: its answer, or an error answer for a verb nobody registered.
    public func handle(_ request: WorkerRequest) -> Data {
        if request.verb == WarmUp.verb { return warmUp(request.input) }
        guard let handler = handlers[request.verb] else {
            return Self.errorAnswer("no isolated task '\(request.verb)' (known: \(verbs.joined(separator: ", ")))")
        }
        return handler(request.input)
    }

    /// Loads the engines of the verbs `input` lists (a JSON array) and answers with them; a verb that is not
    /// registered, or has no engine to load, is an error answer.
    private func warmUp(_ input: Data) -> Data {
        let response: WorkerResponse<[String]>
        do {
            let verbs = try JSONDecoder().decode([String].self, from: input)
            for verb in verbs {
                guard let warm = warmers[verb] else {
                    let warmable = warmers.keys.sorted().joined(separator: ", ")
                    throw IsolationError.failed("'\(verb)' has nothing to warm up (warmable: \(warmable))")
                }
                try warm()
            }
            response = .init(result: verbs, error: nil)
        } catch {
            response = .init(result: nil, error: String(describing: error))
        }
        return (try? AnswerCoding.encode(response)) ?? Self.errorAnswer("the answer could not be encoded")
    }

    /// Serves requests from standard input, one at a time, until it closes. Each request first lowers this
    /// process's CPU-time limit to what it has used plus the request's budget, so a task that spins is killed
    /// by the kernel (SIGXCPU) however many tasks ran before it. Answers go out on a private copy of standard
    /// output, and standard output itself is pointed at standard error, so a library that prints cannot
    /// corrupt the frames. Before the first request the process enters `sandbox` (`WorkerSandbox.enter`); when
    /// that fails the child says why on standard error and exits with status 70 without serving.
    ///
    /// The child also turns transparent huge pages off for itself. x264 asks for them (madvise) for its frame
    /// buffers, and every encoder a child opens faults them in afresh: zeroing them (`clear_page_erms`) took up to
    /// 1.5 s of system time for a 4 s text card whose encode needs 1.3 s of user time, and 0.2–0.3 s with them off
    /// (`docs/benchmarks.md`, 2026-12-05).
    public func serve(sandbox: WorkerSandbox.Configuration) -> Never {
        // Best effort: a kernel without the flag (before 3.15) keeps its own policy.
        _ = drsocial_process_disable_transparent_huge_pages()
        do {
            try WorkerSandbox.enter(sandbox)
        } catch {
            FileHandle.standardError.write(Data("media-worker: \(error)\n".utf8))
            exit(70)
        }
        let answers = dup(STDOUT_FILENO)
        dup2(STDERR_FILENO, STDOUT_FILENO)
        let input = FrameChannel(fd: STDIN_FILENO)
        let output = FrameChannel(fd: answers)
        while let frame = input.read() {
            guard let request = try? JSONDecoder().decode(WorkerRequest.self, from: frame) else {
                _ = output.write(Self.errorAnswer("the request could not be read"))
                continue
            }
            Self.limitCPU(toAnother: request.cpuSeconds)
            guard output.write(handle(request)) else { break }
        }
        exit(0)
    }

    /// An answer that carries only `error`.
    static func errorAnswer(_ error: String) -> Data {
        AnswerCoding.frame(json: (try? JSONEncoder().encode(["error": error])) ?? Data(#"{"error":"?"}"#.utf8))
    }

    private static func limitCPU(toAnother seconds: Int) {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        let used = Int(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + 1
        var limit = rlimit()
        getrlimit(Int32(RLIMIT_CPU.rawValue), &limit)
        limit.rlim_cur = rlim_t(used + max(1, seconds))
        limit.rlim_cur = min(limit.rlim_cur, limit.rlim_max)
        setrlimit(Int32(RLIMIT_CPU.rawValue), &limit)
    }
}

/// One request to a child: the task's verb, its input as JSON, and the CPU seconds it may use.
public struct WorkerRequest: Codable, Sendable {
    public var verb: String
    public var input: Data
    public var cpuSeconds: Int
}

/// A child's answer: the task's result, or why there is none.
struct WorkerResponse<T: Codable>: Codable {
    var result: T?
    var error: String?
}
