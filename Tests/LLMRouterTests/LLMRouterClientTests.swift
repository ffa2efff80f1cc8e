import Foundation
import JSON
import LLMRouterFake
import NIOConcurrencyHelpers
import Testing

@testable import LLMRouter

/// The client against the fake router, which speaks both wire formats (and is itself checked against the
/// official `anthropic` SDK in `LLMRouterFakeTests`).
@Suite struct LLMRouterClientTests {
    static let key = "sk-test-\(UUID().uuidString)"

    func client(_ fake: FakeLLMRouter, api: LLMRouterConfiguration.API = .messages, auth: LLMRouterConfiguration.Authentication = .apiKey, timeout: Double = 600, attempts: Int = 3) -> LLMRouterClient {
        LLMRouterClient(
            configuration: LLMRouterConfiguration(
                baseURL: fake.baseURL + "/v1/",
                apiKey: Self.key,
                authentication: auth,
                api: api,
                timeoutSeconds: timeout,
                attempts: attempts,
                backoffSeconds: 0.05,
                // What these tests check is what the answers say, not how fast a loaded machine gives them: the
                // fake runs in this process, beside hundreds of tests, and once took over 30 s to answer here.
                healthSeconds: timeout,
                modelsSeconds: timeout
            )
        )
    }

    let request = ModelRequest(
        model: "/sonnet/i",
        system: "rules",
        messages: [.user("brief")],
        tools: [.init(name: "submit", description: "d", inputSchema: ["type": "object"])],
        forcedTool: "submit"
    )

    @Test(arguments: [LLMRouterConfiguration.API.messages, .chat], [false, true])
    func aToolAnswerArrivesTheSameBufferedOrStreamed(api: LLMRouterConfiguration.API, streamed: Bool) async throws {
        let fake = try await FakeLLMRouter.start(apiKey: Self.key)
        defer { Task { await fake.stop() } }
        let input = ##"{"variants":[{"caption":"A long enough caption to be split into several pieces","hashtags":["#a","#b"]}]}"##
        fake.enqueue(.message(.tool(name: "submit", inputJSON: input, text: "Here you are.", inputTokens: 321, outputTokens: 45)))
        let pieces = NIOLockedValueBox<[ModelStreamDelta]>([])
        let collect: @Sendable (ModelStreamDelta) -> Void = { delta in pieces.withLockedValue { $0.append(delta) } }
        let answer = try await client(fake, api: api).send(request, purpose: "test", onDelta: streamed ? collect : nil)
        #expect(answer.toolCall(named: "submit")?.input == (try JSONValue(parsing: Data(input.utf8))))
        #expect(answer.text == "Here you are.")
        #expect(answer.stopReason == "tool_use")
        #expect(answer.usage == ModelResponse.Usage(inputTokens: 321, outputTokens: 45))
        #expect(answer.attempts == 1)
        if streamed {
            let deltas = pieces.withLockedValue { $0 }
            #expect(deltas.filter(\.isToolInput).count > 1, "the tool input arrived in pieces")
            #expect(deltas.last(where: \.isToolInput)?.soFar == input)
        }
        let sent = try #require(fake.requests.last)
        #expect(sent.path == (api == .messages ? "/v1/messages" : "/v1/chat/completions"))
        #expect(sent.headers["x-api-key"] == Self.key)
        #expect(sent.headers["anthropic-version"] == "2023-06-01")
        #expect((sent.json?["model"] as? String) == "/sonnet/i", "the model string passes through untouched")
        #expect((sent.json?["stream"] as? Bool ?? false) == streamed)
    }

    @Test func bearerAuthenticationSendsTheKeyAsABearerToken() async throws {
        let fake = try await FakeLLMRouter.start(apiKey: Self.key)
        defer { Task { await fake.stop() } }
        fake.enqueue(.message(.text("hi")))
        _ = try await client(fake, auth: .bearer).send(request, purpose: "test")
        let sent = try #require(fake.requests.last)
        #expect(sent.headers["authorization"] == "Bearer \(Self.key)")
        #expect(sent.headers["x-api-key"] == nil)
    }

    @Test func rateLimitsAndOverloadAreRetriedHonouringRetryAfter() async throws {
        let fake = try await FakeLLMRouter.start(apiKey: Self.key)
        defer { Task { await fake.stop() } }
        fake.enqueue(
            .error(status: 429, type: "rate_limit_error", message: "slow down", retryAfter: 1),
            .error(status: 529, type: "overloaded_error", message: "Overloaded"),
            .message(.text("done"))
        )
        let started = ContinuousClock.now
        let answer = try await client(fake, attempts: 3).send(request, purpose: "test")
        #expect(answer.text == "done")
        #expect(answer.attempts == 3)
        #expect(ContinuousClock.now - started >= .seconds(1), "waited for retry-after")
        #expect(fake.requests.filter { $0.method == "POST" }.count == 3)
    }

    @Test func anOverloadedStreamIsRetried() async throws {
        let fake = try await FakeLLMRouter.start(apiKey: Self.key)
        defer { Task { await fake.stop() } }
        fake.enqueue(.streamError(afterEvents: 3, type: "overloaded_error", message: "Overloaded"), .message(.text("streamed")))
        let answer = try await client(fake).send(request, purpose: "test", onDelta: { _ in })
        #expect(answer.text == "streamed")
        #expect(answer.attempts == 2)
    }

    @Test func serverErrorsGiveUpAfterTheAttemptsWithTheRoutersMessage() async throws {
        let fake = try await FakeLLMRouter.start(apiKey: Self.key)
        defer { Task { await fake.stop() } }
        fake.setDefault { _ in .error(status: 503, type: "api_error", message: "upstream is down") }
        let error = await #expect(throws: LLMRouterError.self) { try await client(fake, attempts: 3).send(request, purpose: "test") }
        #expect(error?.status == 503)
        #expect(error?.attempts == 3)
        #expect(error?.description.contains("upstream is down") == true)
        #expect(error?.description.contains(Self.key) == false, "the key is never shown")
        #expect(fake.requests.filter { $0.method == "POST" }.count == 3)
    }

    @Test func aRouterThatIsDownFailsEachAttemptAsARefusedConnection() async throws {
        // A port nothing listens on: every attempt is refused at once and retried by this client, not held
        // open by async-http-client retrying the connection until the call's deadline.
        let fake = try await FakeLLMRouter.start(apiKey: Self.key)
        let down = fake.baseURL
        await fake.stop()
        let client = LLMRouterClient(
            configuration: LLMRouterConfiguration(baseURL: down + "/v1/", apiKey: Self.key, timeoutSeconds: 600, attempts: 3, backoffSeconds: 0.05)
        )
        let error = await #expect(throws: LLMRouterError.self) { try await client.send(request, purpose: "test") }
        #expect(error?.attempts == 3, "\(String(describing: error))")
        #expect(error?.description.lowercased().contains("refused") == true, "\(String(describing: error))")
    }

    @Test func otherClientErrorsFailAtOnce() async throws {
        let fake = try await FakeLLMRouter.start(apiKey: Self.key)
        defer { Task { await fake.stop() } }
        fake.enqueue(.error(status: 400, type: "invalid_request_error", message: "max_tokens: too large"))
        let error = await #expect(throws: LLMRouterError.self) { try await client(fake).send(request, purpose: "test") }
        #expect(error?.status == 400 && error?.isRetryable == false)
        #expect(error?.description.contains("max_tokens: too large") == true)
        #expect(fake.requests.filter { $0.method == "POST" }.count == 1)
    }

    @Test func aWrongKeyIsRefusedAtOnce() async throws {
        let fake = try await FakeLLMRouter.start(apiKey: "another-key")
        defer { Task { await fake.stop() } }
        let error = await #expect(throws: LLMRouterError.self) { try await client(fake).send(request, purpose: "test") }
        #expect(error?.status == 401 && error?.attempts == 1)
    }

    @Test func aMalformedBodyIsAnErrorNotACrash() async throws {
        let fake = try await FakeLLMRouter.start(apiKey: Self.key)
        defer { Task { await fake.stop() } }
        fake.setDefault { _ in .malformed(body: #"{"type":"message","content":"#) }
        let error = await #expect(throws: LLMRouterError.self) { try await client(fake, attempts: 2).send(request, purpose: "test") }
        #expect(error?.description.contains("could not be read") == true, "\(String(describing: error))")
    }

    @Test func anAnswerSlowerThanTheDeadlineFailsTheCall() async throws {
        let fake = try await FakeLLMRouter.start(apiKey: Self.key)
        defer { Task { await fake.stop() } }
        fake.setDefault { _ in .delayed(seconds: 30, .message(.text("too late"))) }
        let error = await #expect(throws: LLMRouterError.self) { try await client(fake, timeout: 0.5).send(request, purpose: "test") }
        #expect(error?.description.contains("LLM_TIMEOUT_SECONDS") == true, "\(String(describing: error))")
    }

    @Test func modelsAndHealthAreRead() async throws {
        let fake = try await FakeLLMRouter.start(apiKey: Self.key)
        defer { Task { await fake.stop() } }
        let router = client(fake)
        #expect(try await router.models().contains { $0.contains("sonnet") })
        try await router.health()
        #expect(await router.checkAtStart().hasPrefix("healthy"))
        fake.setHealthy(false)
        await #expect(throws: LLMRouterError.self) { try await router.health() }
        #expect(await router.checkAtStart().hasPrefix("unreachable"))
    }
}
