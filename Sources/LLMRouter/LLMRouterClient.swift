public import AsyncHTTPClient
import Foundation
public import Logging
import NIOCore
import NIOFoundationCompat
import NIOHTTP1
import Telemetry
import JSON

/// The one way this daemon talks to a model: the LLM router, in the Anthropic Messages shape or the OpenAI
/// Chat Completions shape (`LLM_ROUTER_API`).
///
/// Calls are retried on 429, 5xx (529 "overloaded" among them), `overloaded_error` events and dropped
/// connections, honouring `retry-after`, with exponential backoff and jitter, up to `attempts`; the whole
/// call, retries and waits included, ends at `timeoutSeconds`. Other 4xx answers fail at once with the
/// router's own message. The key is sent in a header and never logged.
///
/// ```swift
/// let client = LLMRouterClient(configuration: configuration)
/// let answer = try await client.send(ModelRequest(model: "/haiku/i", system: "…", messages: [.user("Hello")]), purpose: "moderation")
/// print(answer.text, answer.usage.outputTokens)
/// ```
public struct LLMRouterClient: Sendable {
    public let configuration: LLMRouterConfiguration
    let http: HTTPClient
    let logger: Logger
    /// Largest buffered answer read (a caption call's answer is a few KB).
    static let maximumAnswerBytes = 8 << 20

    public init(configuration: LLMRouterConfiguration, http: HTTPClient = LLMRouterClient.defaultHTTPClient, logger: Logger = Logger(label: "drsocial.llm")) {
        self.configuration = configuration
        self.http = http
        self.logger = logger
    }

    /// The HTTP client calls go through unless one is given: async-http-client's shared event loops, up to 64
    /// connections to the router (the shared client's 8 capped calls in flight at 8), a 10 s connect timeout,
    /// and no connection attempts retried inside the client: a router that is down fails the attempt at once,
    /// and this client's own retries (with backoff, within `LLM_TIMEOUT_SECONDS`) take over.
    public static let defaultHTTPClient: HTTPClient = {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = 64
        configuration.timeout.connect = .seconds(10)
        return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }()

    // MARK: Calls

    /// Sends one call and returns the model's answer. With `onDelta`, the answer is streamed (Server-Sent
    /// Events) and each piece is handed over as it arrives; the result is the same either way.
    /// - Parameter purpose: what the call is for (`draft`, `moderation`), a label in `/metrics`.
    public func send(
        _ request: ModelRequest,
        purpose: String,
        onDelta: (@Sendable (ModelStreamDelta) -> Void)? = nil
    ) async throws(LLMRouterError) -> ModelResponse {
        let started = ContinuousClock.now
        let deadline = started + .milliseconds(Int64(configuration.timeoutSeconds * 1000))
        let body = configuration.api == .messages
            ? MessagesWire.body(for: request, stream: onDelta != nil) : ChatCompletionsWire.body(for: request, stream: onDelta != nil)
        let path = configuration.api == .messages ? MessagesWire.path : ChatCompletionsWire.path
        let bytes = ByteBuffer(string: body.jsonText)
        var attempt = 0
        var delay = configuration.backoffSeconds
        while true {
            attempt += 1
            do {
                var answer = try await within(deadline) { try await self.post(path: path, body: bytes, onDelta: onDelta) }
                answer.attempts = attempt
                answer.latencySeconds = Self.seconds(ContinuousClock.now - started)
                DaemonMetrics.modelCall(
                    purpose: purpose,
                    model: answer.model,
                    outcome: "succeeded",
                    seconds: answer.latencySeconds,
                    inputTokens: answer.usage.inputTokens,
                    outputTokens: answer.usage.outputTokens
                )
                return answer
            } catch {
                var error = error
                error.attempts = attempt
                let wait = error.retryAfter ?? Self.jittered(delay)
                let retry = error.isRetryable && attempt < configuration.attempts
                    && ContinuousClock.now + .milliseconds(Int64(wait * 1000)) < deadline
                logger.warning(
                    "LLM router call failed",
                    metadata: ["purpose": "\(purpose)", "attempt": "\(attempt)", "error": "\(error)", "retrying": "\(retry)"]
                )
                guard retry else {
                    DaemonMetrics.modelCall(
                        purpose: purpose,
                        model: request.model,
                        outcome: "failed",
                        seconds: Self.seconds(ContinuousClock.now - started),
                        inputTokens: 0,
                        outputTokens: 0
                    )
                    throw error
                }
                do { try await Task.sleep(for: .milliseconds(Int64(wait * 1000))) } catch {
                    throw LLMRouterError(.deadline, "cancelled while waiting to retry")
                }
                delay *= 2
            }
        }
    }

    /// The model ids the router offers (`GET /v1/models`).
    public func models() async throws(LLMRouterError) -> [String] {
        let seconds = min(configuration.timeoutSeconds, configuration.modelsSeconds)
        let deadline = ContinuousClock.now + .milliseconds(Int64(seconds * 1000))
        let json = try await within(deadline, "GET /v1/models (\(Self.format(seconds)) s)") { try await self.get("/v1/models", seconds: seconds) }
        return (json["data"]?.arrayValue ?? []).compactMap { $0["id"]?.stringValue }
    }

    /// Whether the router says it is healthy (`GET /health` answers 2xx).
    public func health() async throws(LLMRouterError) {
        let seconds = configuration.healthSeconds
        let deadline = ContinuousClock.now + .milliseconds(Int64(seconds * 1000))
        _ = try await within(deadline, "GET /health (\(Self.format(seconds)) s)") { try await self.get("/health", seconds: seconds) }
    }

    // MARK: HTTP

    func makeRequest(path: String, method: HTTPMethod) -> HTTPClientRequest {
        var request = HTTPClientRequest(url: configuration.baseURL + path)
        request.method = method
        request.headers.add(name: "anthropic-version", value: "2023-06-01")
        request.headers.add(name: "Accept", value: "application/json")
        if !configuration.apiKey.isEmpty {
            switch configuration.authentication {
            case .apiKey: request.headers.add(name: "x-api-key", value: configuration.apiKey)
            case .bearer: request.headers.add(name: "Authorization", value: "Bearer \(configuration.apiKey)")
            }
        }
        return request
    }

    func get(_ path: String, seconds: Double) async throws(LLMRouterError) -> JSONValue {
        let response: HTTPClientResponse
        do { response = try await http.execute(makeRequest(path: path, method: .GET), timeout: .seconds(Int64(seconds.rounded(.up)))) } catch {
            throw LLMRouterError(.transport, Self.describe(error))
        }
        let data = try await Self.collect(response)
        try Self.check(response, data)
        if data.isEmpty { return .null }
        return (try? JSONValue(parsing: data)) ?? .null
    }

    func post(path: String, body: ByteBuffer, onDelta: (@Sendable (ModelStreamDelta) -> Void)?) async throws(LLMRouterError) -> ModelResponse {
        var request = makeRequest(path: path, method: .POST)
        request.headers.add(name: "Content-Type", value: "application/json")
        if onDelta != nil { request.headers.replaceOrAdd(name: "Accept", value: "text/event-stream") }
        request.body = .bytes(body)
        let response: HTTPClientResponse
        do { response = try await http.execute(request, timeout: .seconds(Int64(configuration.timeoutSeconds.rounded(.up)))) } catch {
            throw LLMRouterError(.transport, Self.describe(error))
        }
        let streamed = response.headers.first(name: "content-type")?.lowercased().hasPrefix("text/event-stream") ?? false
        guard (200..<300).contains(response.status.code), streamed, let onDelta else {
            let data = try await Self.collect(response)
            try Self.check(response, data)
            let json: JSONValue
            do { json = try JSONValue(parsing: data) } catch {
                throw LLMRouterError(.malformed, "not JSON: \(String(decoding: data.prefix(200), as: UTF8.self))")
            }
            return configuration.api == .messages ? try MessagesWire.response(from: json) : try ChatCompletionsWire.response(from: json)
        }
        return try await readStream(response, onDelta: onDelta)
    }

    func readStream(_ response: HTTPClientResponse, onDelta: @Sendable (ModelStreamDelta) -> Void) async throws(LLMRouterError) -> ModelResponse {
        var parser = ServerSentEventParser()
        var messages = MessagesWire.StreamAccumulator()
        var chat = ChatCompletionsWire.StreamAccumulator()
        let api = configuration.api
        do {
            for try await chunk in response.body {
                for event in parser.feed(chunk.readableBytesView) {
                    let delta = api == .messages ? try messages.take(event) : try chat.take(event)
                    if let delta { onDelta(delta) }
                }
            }
        } catch let error as LLMRouterError {
            throw error
        } catch {
            throw LLMRouterError(.transport, "the stream was cut: \(Self.describe(error))")
        }
        return api == .messages ? try messages.result() : try chat.result()
    }

    static func collect(_ response: HTTPClientResponse) async throws(LLMRouterError) -> Data {
        do { return Data(buffer: try await response.body.collect(upTo: maximumAnswerBytes)) } catch {
            throw LLMRouterError(.transport, "the answer was cut or too large: \(describe(error))")
        }
    }

    /// Turns an error status into the router's own error (both shapes carry `error.type` and `error.message`).
    static func check(_ response: HTTPClientResponse, _ data: Data) throws(LLMRouterError) {
        let status = Int(response.status.code)
        guard !(200..<300).contains(status) else { return }
        let json = try? JSONValue(parsing: data)
        let type = json?["error"]?["type"]?.stringValue
        let message = json?["error"]?["message"]?.stringValue ?? String(decoding: data.prefix(300), as: UTF8.self)
        var error = LLMRouterError(.status(status, type: type), message.isEmpty ? "(no message)" : message)
        error.retryAfter = response.headers.first(name: "retry-after").flatMap(Self.retryAfterSeconds)
        throw error
    }

    // MARK: Time

    /// Runs `work`, failing with a deadline error if it has not finished by `deadline`.
    /// - Parameter limit: what the deadline is, for the error (the call's `LLM_TIMEOUT_SECONDS` by default).
    func within<T: Sendable>(
        _ deadline: ContinuousClock.Instant,
        _ limit: String? = nil,
        _ work: @escaping @Sendable () async throws -> T
    ) async throws(LLMRouterError) -> T {
        let limit = limit ?? "LLM_TIMEOUT_SECONDS (\(Self.format(configuration.timeoutSeconds)) s)"
        do {
            return try await withThrowingTaskGroup(of: T?.self) { group in
                group.addTask { try await work() }
                group.addTask {
                    try? await Task.sleep(until: deadline, clock: .continuous)
                    return nil
                }
                defer { group.cancelAll() }
                guard let first = try await group.next(), let value = first else {
                    throw LLMRouterError(.deadline, "no answer within \(limit)")
                }
                return value
            }
        } catch let error as LLMRouterError {
            throw error
        } catch {
            throw LLMRouterError(.transport, Self.describe(error))
        }
    }

    /// `retry-after` in seconds (a number) or as an HTTP date.
    static func retryAfterSeconds(_ value: String) -> Double? {
        if let seconds = Double(value.trimmingCharacters(in: .whitespaces)) { return max(0, seconds) }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        return formatter.date(from: value).map { max(0, $0.timeIntervalSinceNow) }
    }

    /// Full jitter between half and all of the delay, so daemons that failed together do not retry together.
    static func jittered(_ seconds: Double) -> Double { seconds * Double.random(in: 0.5...1.0) }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    static func format(_ seconds: Double) -> String {
        seconds.rounded() == seconds ? String(Int(seconds)) : String(seconds)
    }

    /// An HTTP client error without the request (and so without its headers).
    static func describe(_ error: any Error) -> String {
        if let error = error as? HTTPClientError { return String(describing: error) }
        return String(describing: type(of: error)) + ": " + String(describing: error).prefix(200)
    }
}
