import Hummingbird
import Logging
import NIOConcurrencyHelpers
import NIOCore
import ServiceLifecycle

/// A local stand-in for the LLM router: an HTTP server on 127.0.0.1 that speaks Anthropic's Messages API
/// (`POST /v1/messages`, buffered and streamed, `GET /v1/models`) and OpenAI's Chat Completions
/// (`POST /v1/chat/completions`), answering with replies a test scripts, and recording every request.
///
/// ```swift
/// let router = try await FakeLLMRouter.start()
/// defer { Task { await router.stop() } }
/// router.enqueue(.message(.tool(name: "draft_post", inputJSON: #"{"caption":"Morning run"}"#)),
///                .error(status: 529, type: "overloaded_error", message: "Overloaded"))
/// // point the client under test at router.baseURL with the key "test-key"
/// #expect(router.requests.last?.json?["stream"] as? Bool == true)
/// ```
///
/// Replies are taken first from the queue `enqueue(_:)` fills, one per `POST`, then from the responder
/// `setDefault(_:)` installs (at first, a text message "ok"). Every `/v1` route needs `x-api-key: <apiKey>`
/// or `Authorization: Bearer <apiKey>`; without it the answer is a 401 `authentication_error`.
public final class FakeLLMRouter: Sendable {
    /// What changes while the server runs.
    struct State {
        var queue: [Reply] = []
        var responder: @Sendable (RecordedRequest) -> Reply = { _ in .message(.text("ok")) }
        var requests: [RecordedRequest] = []
        var healthy = true
        var port = 0
        var server: Task<Void, any Error>?
        var group: ServiceGroup?
    }

    /// The key every `/v1` route requires.
    let apiKey: String
    let state = NIOLockedValueBox(State())

    init(apiKey: String) {
        self.apiKey = apiKey
    }

    deinit {
        // A test that forgot `stop()` must not leave a server behind.
        state.withLockedValue { $0.server?.cancel() }
    }

    // MARK: Starting and stopping

    /// Starts a fake on 127.0.0.1 on a port the system picks, serving in a background task.
    /// - Parameter apiKey: The key clients must send (`x-api-key` or `Authorization: Bearer`).
    /// - Returns: The running fake, once it accepts connections.
    public static func start(apiKey: String = "test-key") async throws -> FakeLLMRouter {
        let router = FakeLLMRouter(apiKey: apiKey)
        let (ports, portsContinuation) = AsyncStream.makeStream(of: Int.self)
        var logger = Logger(label: "FakeLLMRouter")
        // `stop()` cancels the server, which HummingbirdCore reports as an error; a fake has nothing else worth saying.
        logger.logLevel = .critical
        let responder = CallbackResponder<BasicRequestContext> { [weak router] request, _ in
            guard let router else { return Response(status: .serviceUnavailable) }
            return try await router.respond(to: request)
        }
        let application = Application(
            responder: responder,
            configuration: .init(address: .hostname("127.0.0.1", port: 0), serverName: nil),
            onServerRunning: { channel in
                portsContinuation.yield(channel.localAddress?.port ?? 0)
                portsContinuation.finish()
            },
            logger: logger
        )
        // Run under a service group so that `stop()` can shut the server down gracefully: cancelling its task
        // while a connection is being accepted traps in NIO (apple/swift-nio#2637: "Deinited NIOAsyncWriter
        // without calling finish()"), which takes the whole test process down.
        let group = ServiceGroup(configuration: .init(services: [application], gracefulShutdownSignals: [], logger: logger))
        let server = Task {
            defer { portsContinuation.finish() }
            try await group.run()
        }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next(), port > 0 else {
            server.cancel()
            try await server.value
            throw StartFailure()
        }
        router.state.withLockedValue {
            $0.port = port
            $0.server = server
            $0.group = group
        }
        return router
    }

    /// Stops the server: no new connection is accepted, and requests in flight (a `.delayed` reply, a stream)
    /// get a few seconds to end before they are cut off.
    public func stop() async {
        let (server, group) = state.withLockedValue { state in
            defer { (state.server, state.group) = (nil, nil) }
            return (state.server, state.group)
        }
        guard let server else { return }
        await group?.triggerGracefulShutdown()
        // The listening socket is closed now; what is left are requests in flight, which a test that stops the
        // fake no longer waits for.
        let cutOff = Task {
            try await Task.sleep(for: .seconds(5))
            server.cancel()
        }
        _ = try? await server.value
        cutOff.cancel()
    }

    /// `http://127.0.0.1:PORT`, without a trailing slash or `/v1`.
    public var baseURL: String { "http://127.0.0.1:\(state.withLockedValue { $0.port })" }

    // MARK: Scripting

    /// Adds replies to the queue; each `POST` to `/v1/messages` or `/v1/chat/completions` takes the first one.
    public func enqueue(_ replies: Reply...) {
        state.withLockedValue { $0.queue.append(contentsOf: replies) }
    }

    /// The responder used when the queue is empty. At first it answers every request with the text "ok".
    public func setDefault(_ responder: @escaping @Sendable (RecordedRequest) -> Reply) {
        state.withLockedValue { $0.responder = responder }
    }

    /// Every request received so far, in order of arrival (including `GET`s and refused ones).
    public var requests: [RecordedRequest] { state.withLockedValue { $0.requests } }

    /// What `GET /health` says: 200 `{"status":"ok"}` when healthy (the default), 503 otherwise.
    public func setHealthy(_ healthy: Bool) {
        state.withLockedValue { $0.healthy = healthy }
    }

    /// The next reply: the head of the queue, or else the default responder's answer for `request`.
    func nextReply(for request: RecordedRequest) -> Reply {
        let (queued, responder) = state.withLockedValue { state in
            (state.queue.isEmpty ? nil : state.queue.removeFirst(), state.responder)
        }
        // The responder runs outside the lock: it may well read `requests`.
        return queued ?? responder(request)
    }

    /// The server did not come up.
    struct StartFailure: Error, CustomStringConvertible {
        var description: String { "the fake LLM router did not start listening on 127.0.0.1" }
    }
}
