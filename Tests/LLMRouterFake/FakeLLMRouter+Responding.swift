import Foundation
import Hummingbird
import NIOConcurrencyHelpers
import NIOCore

extension FakeLLMRouter {
    /// The model an answer names when neither the reply nor the request names one.
    static let defaultModel = AnthropicWire.models[0].id

    /// What a `.streamError` reply streams before its error.
    static let interruptedMessage = Message.text("This answer is cut short by an error in the middle of the stream.")

    /// Records a request, checks its key and routes it.
    func respond(to request: Request) async throws -> Response {
        let body = try await request.body.collect(upTo: 64 << 20)
        var headers: [String: String] = [:]
        for field in request.headers {
            let name = field.name.canonicalName
            headers[name] = headers[name].map { "\($0), \(field.value)" } ?? field.value
        }
        let recorded = RecordedRequest(method: request.method.rawValue, path: request.uri.path, headers: headers, body: Data(body.readableBytesView))
        state.withLockedValue { $0.requests.append(recorded) }

        if recorded.path == "/health" {
            return state.withLockedValue(\.healthy)
                ? Self.json(200, #"{"status":"ok"}"#) : Self.json(503, #"{"status":"unavailable"}"#)
        }
        let wire: any WireFormat.Type = recorded.path == "/v1/chat/completions" ? OpenAIWire.self : AnthropicWire.self
        guard recorded.path == "/v1" || recorded.path.hasPrefix("/v1/") else {
            return Self.json(404, wire.error(type: "not_found_error", message: "Not found: \(recorded.method) \(recorded.path)"))
        }
        guard isAuthorized(headers) else {
            return Self.json(401, wire.error(type: "authentication_error", message: "invalid x-api-key"))
        }
        switch (request.method, recorded.path) {
        case (.get, "/v1/models"):
            return Self.json(200, AnthropicWire.modelList())
        case (.post, "/v1/messages"), (.post, "/v1/chat/completions"):
            guard let json = recorded.json else {
                return Self.json(400, wire.error(type: "invalid_request_error", message: "The request body is not a JSON object."))
            }
            return try await answer(nextReply(for: recorded), request: json, wire: wire)
        default:
            return Self.json(404, wire.error(type: "not_found_error", message: "Not found: \(recorded.method) \(recorded.path)"))
        }
    }

    /// `x-api-key: <key>` or `Authorization: Bearer <key>`.
    func isAuthorized(_ headers: [String: String]) -> Bool {
        headers["x-api-key"] == apiKey || headers["authorization"] == "Bearer \(apiKey)"
    }

    /// The response for `reply` to a request whose JSON is `request`, in `wire`'s format.
    func answer(_ reply: Reply, request: [String: Any], wire: any WireFormat.Type) async throws -> Response {
        let streamed = request["stream"] as? Bool == true
        let requestedModel = request["model"] as? String ?? Self.defaultModel
        do {
            switch reply {
            case .message(let message):
                let model = message.model ?? requestedModel
                return streamed
                    ? Self.eventStream(try wire.events(message, model: model, request: request))
                    : Self.json(200, try wire.message(message, model: model))
            case .error(let status, let type, let message, let retryAfter):
                var response = Self.json(status, wire.error(type: type, message: message))
                if let retryAfter { response.headers[.retryAfter] = "\(retryAfter)" }
                return response
            case .malformed(let status, let body):
                return Self.json(status, body)
            case .delayed(let seconds, let reply):
                try await Task.sleep(for: .seconds(seconds))
                return try await answer(reply, request: request, wire: wire)
            case .streamError(let count, let type, let message):
                guard streamed else { return Self.json(Self.status(forErrorType: type), wire.error(type: type, message: message)) }
                let events = try wire.events(Self.interruptedMessage, model: requestedModel, request: request)
                return Self.eventStream(events.prefix(max(0, min(count, events.count - 1))) + [wire.streamError(type: type, message: message)])
            }
        } catch let error as JSONText.NotAnObject {
            return Self.json(500, wire.error(type: "api_error", message: error.description))
        }
    }

    // MARK: Responses

    /// A JSON body with `status`.
    static func json(_ status: Int, _ body: String) -> Response {
        var response = Response(
            status: .init(code: status),
            headers: [.contentType: "application/json"],
            body: .init(byteBuffer: ByteBuffer(string: body))
        )
        response.headers[.init("request-id")!] = FakeIdentifier.make("req_")
        return response
    }

    /// A `text/event-stream` answer that writes each frame on its own, a moment apart, so that a client
    /// sees the stream arrive in parts.
    static func eventStream(_ frames: some Collection<String> & Sendable) -> Response {
        var response = Response(
            status: .ok,
            headers: [.contentType: "text/event-stream; charset=utf-8", .cacheControl: "no-cache"],
            body: ResponseBody { writer in
                for (index, frame) in frames.enumerated() {
                    if index > 0 { try await Task.sleep(for: .milliseconds(2)) }
                    try await writer.write(ByteBuffer(string: frame))
                }
                try await writer.finish(nil)
            }
        )
        // Real answers carry one; the Anthropic SDK quotes it in its errors.
        response.headers[.init("request-id")!] = FakeIdentifier.make("req_")
        return response
    }

    /// The HTTP status Anthropic gives each error type.
    static func status(forErrorType type: String) -> Int {
        switch type {
        case "invalid_request_error": 400
        case "authentication_error": 401
        case "billing_error": 402
        case "permission_error": 403
        case "not_found_error": 404
        case "request_too_large": 413
        case "rate_limit_error": 429
        case "timeout_error": 504
        case "overloaded_error": 529
        default: 500
        }
    }
}
