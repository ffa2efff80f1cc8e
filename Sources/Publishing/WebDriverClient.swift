public import AsyncHTTPClient
public import Foundation
import NIOCore
import NIOFoundationCompat
import NIOHTTP1
public import JSON

/// A W3C WebDriver client (https://www.w3.org/TR/webdriver2/) over async-http-client, for a device hub
/// (Appium with UiAutomator2 or XCUITest) or any other remote end, chromedriver included.
///
/// Every command is one HTTP request with a JSON body; the answer is `{"value": …}`, or for an error
/// `{"value": {"error": "no such element", "message": …}}` with a 4xx or 5xx status, thrown as a
/// `WebDriverError` with that code. `DEVICE_HUB_TOKEN` goes as `Authorization: Bearer`.
///
/// ```swift
/// let client = WebDriverClient(hub: URL(string: "http://127.0.0.1:4723")!, token: nil)
/// let session = try await client.newSession(capabilities: ["platformName": .string("Android")])
/// try await session.navigate(to: "instagram://")
/// try await session.delete()
/// ```
public struct WebDriverClient: Sendable {
    /// The remote end's base URL (`http://hub:4723`, or with a path such as `/wd/hub`).
    public let hub: URL
    let token: String?
    let commandTimeout: TimeAmount
    let http: HTTPClient

    /// - Parameters:
    ///   - hub: `DEVICE_HUB_URL`.
    ///   - token: `DEVICE_HUB_TOKEN`, sent as a bearer token when set.
    ///   - commandTimeoutSeconds: how long one command may take, new session included (a hub may boot an
    ///     app or wait for a free device first). Default 120 s.
    ///   - http: the HTTP client (`defaultHTTPClient` by default).
    public init(hub: URL, token: String?, commandTimeoutSeconds: Double = 120, http: HTTPClient = WebDriverClient.defaultHTTPClient) {
        self.hub = hub
        self.token = token.flatMap { $0.isEmpty ? nil : $0 }
        self.commandTimeout = .milliseconds(Int64(commandTimeoutSeconds * 1000))
        self.http = http
    }

    /// The HTTP client commands go through unless one is given: AsyncHTTPClient's shared event loops, a 10 s
    /// connect timeout, and no retried connection attempts, so that a hub that is down fails the command at once
    /// (soft: the publish job retries with backoff) instead of when the command's whole timeout has passed.
    public static let defaultHTTPClient: HTTPClient = {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.timeout.connect = .seconds(10)
        return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }()

    // MARK: Commands without a session

    /// New Session (`POST /session`) with `capabilities` as `alwaysMatch`.
    public func newSession(capabilities: [String: JSONValue]) async throws(WebDriverError) -> WebDriverSession {
        let body: JSONValue = .object(["capabilities": .object(["alwaysMatch": .object(capabilities), "firstMatch": .array([.object([:])])])])
        let value = try await execute(.POST, "/session", body)
        guard let id = value["sessionId"]?.stringValue, !id.isEmpty else {
            throw WebDriverError(code: .malformedAnswer, message: "New Session answered without a sessionId", command: "POST /session")
        }
        return WebDriverSession(id: id, capabilities: value["capabilities"]?.objectValue ?? [:], client: self)
    }

    /// Status (`GET /status`): whether the remote end says it can create new sessions.
    public func isReady() async throws(WebDriverError) -> Bool {
        let value = try await execute(.GET, "/status")
        if case .bool(let ready)? = value["ready"] { return ready }
        return false
    }

    // MARK: Transport

    /// Runs one command and gives its `value`. `path` may hold `{session}` and `{element}`, filled from the
    /// arguments; errors name the command by that template, never by identifiers.
    func execute(
        _ method: HTTPMethod,
        _ path: String,
        _ body: JSONValue? = nil,
        session: String? = nil,
        element: String? = nil
    ) async throws(WebDriverError) -> JSONValue {
        let command = "\(method.rawValue) \(path)"
        var filled = path
        for (placeholder, value) in [("{session}", session), ("{element}", element)] {
            guard let value else { continue }
            let escaped = value.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(CharacterSet(charactersIn: "/"))) ?? value
            filled = filled.replacingOccurrences(of: placeholder, with: escaped)
        }
        var base = hub.absoluteString
        while base.hasSuffix("/") { base.removeLast() }
        var request = HTTPClientRequest(url: base + filled)
        request.method = method
        request.headers.add(name: "Accept", value: "application/json")
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        if method == .POST {
            // W3C: every POST carries a JSON object, `{}` when the command has no parameters.
            let json = (try? JSONEncoder().encode(body ?? .object([:]))) ?? Data("{}".utf8)
            request.headers.add(name: "Content-Type", value: "application/json; charset=utf-8")
            request.body = .bytes(ByteBuffer(data: json))
        }
        let status: Int
        let data: Data
        do {
            let response = try await http.execute(request, timeout: commandTimeout)
            status = Int(response.status.code)
            data = Data(buffer: try await response.body.collect(upTo: 64 << 20))
        } catch {
            throw WebDriverError(code: .transport, message: "\(error)", command: command)
        }
        guard let answer = try? JSONDecoder().decode(JSONValue.self, from: data), case .object = answer else {
            let text = String(decoding: data.prefix(200), as: UTF8.self)
            throw WebDriverError(code: .malformedAnswer, message: "not a WebDriver answer: \(text)", status: status, command: command)
        }
        let value = answer["value"] ?? .null
        if let error = value["error"]?.stringValue {
            throw WebDriverError(code: .w3c(error), message: value["message"]?.stringValue ?? "", status: status, command: command)
        }
        guard (200..<300).contains(status) else {
            throw WebDriverError(code: .malformedAnswer, message: "HTTP \(status) without a W3C error", status: status, command: command)
        }
        return value
    }
}
