import Foundation

/// How to reach the LLM router, read from the environment (`docs/configuration.md`, "LLM router").
public struct LLMRouterConfiguration: Sendable, Equatable {
    /// How the key travels.
    public enum Authentication: String, Sendable, Equatable {
        /// `x-api-key: KEY` (the Anthropic way; the default).
        case apiKey = "x-api-key"
        /// `Authorization: Bearer KEY` (`LLM_ROUTER_AUTH=bearer`).
        case bearer
    }

    /// Which of the router's two shapes to speak.
    public enum API: String, Sendable, Equatable {
        /// `POST /v1/messages`, the Anthropic Messages shape (the default).
        case messages
        /// `POST /v1/chat/completions`, the OpenAI shape with function tools (`LLM_ROUTER_API=chat`).
        case chat
    }

    /// The router's base URL, without `/v1` (`LLM_ROUTER_URL`).
    public var baseURL: String
    /// `LLM_ROUTER_API_KEY`; never logged or shown.
    public var apiKey: String
    /// `LLM_ROUTER_AUTH`: `x-api-key` (default) or `bearer`.
    public var authentication: Authentication
    /// `LLM_ROUTER_API`: `messages` (default) or `chat`.
    public var api: API
    /// `LLM_CONTENT_MODEL`; default `/sonnet/i` (the router picks the best match from its list).
    public var contentModel: String
    /// `LLM_MODERATION_MODEL`; default `/haiku/i`.
    public var moderationModel: String
    /// `LLM_TIMEOUT_SECONDS`: the deadline of one call, retries included; default 120.
    public var timeoutSeconds: Double
    /// `LLM_ATTEMPTS`: how many times a call is tried on 429, 5xx, 529 and connection failures; default 4.
    public var attempts: Int
    /// The first retry's delay when the router gives no `retry-after`; doubled each time, with jitter. Default 1 s.
    public var backoffSeconds: Double
    /// How long `health()` waits for `GET /health`. Default 10 s.
    public var healthSeconds: Double
    /// How long `models()` waits for `GET /v1/models`, at most `timeoutSeconds`. Default 30 s.
    public var modelsSeconds: Double

    public init(
        baseURL: String,
        apiKey: String,
        authentication: Authentication = .apiKey,
        api: API = .messages,
        contentModel: String = "/sonnet/i",
        moderationModel: String = "/haiku/i",
        timeoutSeconds: Double = 120,
        attempts: Int = 4,
        backoffSeconds: Double = 1,
        healthSeconds: Double = 10,
        modelsSeconds: Double = 30
    ) {
        var base = baseURL
        while base.hasSuffix("/") { base.removeLast() }
        if base.hasSuffix("/v1") { base.removeLast(3) }
        self.baseURL = base
        self.apiKey = apiKey
        self.authentication = authentication
        self.api = api
        self.contentModel = contentModel
        self.moderationModel = moderationModel
        self.timeoutSeconds = timeoutSeconds
        self.attempts = attempts
        self.backoffSeconds = backoffSeconds
        self.healthSeconds = healthSeconds
        self.modelsSeconds = modelsSeconds
    }

    /// The configuration the environment gives, or nil when `LLM_ROUTER_URL` is unset or empty (the
    /// offline drafter then drafts). A value that cannot be used throws, naming the variable.
    public static func fromEnvironment(_ environment: [String: String]) throws(LLMRouterError) -> LLMRouterConfiguration? {
        func value(_ name: String) -> String? {
            guard let raw = environment[name]?.trimmingCharacters(in: .whitespaces), !raw.isEmpty else { return nil }
            return raw
        }
        guard let url = value("LLM_ROUTER_URL") else { return nil }
        guard let parsed = URL(string: url), let scheme = parsed.scheme, ["http", "https"].contains(scheme), parsed.host != nil else {
            throw .configuration("LLM_ROUTER_URL must be an http(s) URL, got \"\(url)\"")
        }
        var configuration = LLMRouterConfiguration(baseURL: url, apiKey: value("LLM_ROUTER_API_KEY") ?? "")
        if let auth = value("LLM_ROUTER_AUTH") {
            guard let parsed = Authentication(rawValue: auth.lowercased()) else {
                throw .configuration("LLM_ROUTER_AUTH must be x-api-key or bearer, got \"\(auth)\"")
            }
            configuration.authentication = parsed
        }
        if let api = value("LLM_ROUTER_API") {
            guard let parsed = API(rawValue: api.lowercased()) else {
                throw .configuration("LLM_ROUTER_API must be messages or chat, got \"\(api)\"")
            }
            configuration.api = parsed
        }
        if let model = value("LLM_CONTENT_MODEL") { configuration.contentModel = model }
        if let model = value("LLM_MODERATION_MODEL") { configuration.moderationModel = model }
        if let timeout = value("LLM_TIMEOUT_SECONDS") {
            guard let seconds = Double(timeout), seconds > 0 else {
                throw .configuration("LLM_TIMEOUT_SECONDS must be a positive number, got \"\(timeout)\"")
            }
            configuration.timeoutSeconds = seconds
        }
        if let attempts = value("LLM_ATTEMPTS") {
            guard let count = Int(attempts), count >= 1 else {
                throw .configuration("LLM_ATTEMPTS must be a whole number of at least 1, got \"\(attempts)\"")
            }
            configuration.attempts = count
        }
        return configuration
    }
}
