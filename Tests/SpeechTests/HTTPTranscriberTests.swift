import Contracts
import Domain
import Foundation
import Hummingbird
import HummingbirdTesting
import Isolation
import Media
import NIOCore
import TestSupport
import Testing

@testable import Speech

/// The HTTP backend against a local fake that speaks OpenAI's `/v1/audio/transcriptions` wire format
/// (multipart form upload, `verbose_json` answer with word timestamps).
struct HTTPTranscriberTests {
    /// What the fake saw and how it should answer.
    final class FakeService: @unchecked Sendable {
        private let lock = NSLock()
        private var _requests: [(headers: HTTPFields, body: Data)] = []
        /// Statuses to answer with before the real answer (e.g. 503 to exercise retries).
        var failures: [HTTPResponse.Status]
        let answer: String

        init(failures: [HTTPResponse.Status] = [], answer: String) {
            self.failures = failures
            self.answer = answer
        }

        var requests: [(headers: HTTPFields, body: Data)] { lock.withLock { _requests } }

        func handle(headers: HTTPFields, body: Data) -> (HTTPResponse.Status, String) {
            lock.withLock {
                _requests.append((headers, body))
                if !failures.isEmpty { return (failures.removeFirst(), #"{"error":{"message":"try again"}}"#) }
                return (.ok, answer)
            }
        }
    }

    static let verboseJSON = """
        {"task":"transcribe","language":"english","duration":3.52,"text":" Please post about my morning run by the river.",
         "words":[{"word":"Please","start":0.32,"end":0.61},{"word":"post","start":0.61,"end":0.9},
                  {"word":"about","start":0.9,"end":1.18},{"word":"my","start":1.18,"end":1.3},
                  {"word":"morning","start":1.3,"end":1.7},{"word":"run","start":1.7,"end":1.95},
                  {"word":"by","start":1.95,"end":2.1},{"word":"the","start":2.1,"end":2.2},{"word":"river.","start":2.2,"end":2.7}],
         "segments":[{"id":0,"start":0.0,"end":3.52,"text":" Please post about my morning run by the river."}]}
        """

    func withFake(_ service: FakeService, _ body: @escaping @Sendable (URL) async throws -> Void) async throws {
        let router = Router()
        router.post("/v1/audio/transcriptions") { request, _ -> Response in
            let bytes = try await request.body.collect(upTo: 32 << 20)
            let (status, text) = service.handle(headers: request.headers, body: Data(bytes.readableBytesView))
            return Response(
                status: status,
                headers: [.contentType: "application/json"],
                body: .init(byteBuffer: ByteBuffer(string: text))
            )
        }
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        try await app.test(.live) { client in
            try await body(URL(string: "http://127.0.0.1:\(try #require(client.port))")!)
        }
    }

    /// A generous per-request timeout: under a loaded CI run a 10 s one lapsed before the fake's 400 arrived,
    /// the request was retried as a timeout (rightly), and the test about client errors saw two requests.
    func transcriber(_ url: URL, attempts: Int = 3, timeoutSeconds: Int64 = 60) -> HTTPTranscriber {
        HTTPTranscriber(
            configuration: .init(url: url) {
                $0.apiKey = "test-key"
                $0.timeoutSeconds = timeoutSeconds
                $0.attempts = attempts
                $0.backoffSeconds = 0.05
            },
            worker: MediaWorkerClient(configuration: .init(executable: TestEnvironment.executable, wallSeconds: 60))
        )
    }

    @Test func wordsAndTimingsRoundTripAfterARetry() async throws {
        let service = FakeService(failures: [.serviceUnavailable], answer: Self.verboseJSON)
        try await withFake(service) { url in
            let transcript = try await transcriber(url).transcribe(file: TestEnvironment.testmedia("voice-memo.m4a"), maxDurationSeconds: 900)
            #expect(transcript.engine == "http")
            #expect(transcript.text == "Please post about my morning run by the river.")
            #expect(transcript.words.count == 9)
            #expect(transcript.words.first == .init(word: "Please", start: 0.32, end: 0.61))
            #expect(transcript.words.last == .init(word: "river.", start: 2.2, end: 2.7))
            #expect(transcript.durationSeconds == 3.52)
        }
        #expect(service.requests.count == 2, "a 503 is retried")
        let (headers, body) = try #require(service.requests.last)
        #expect(headers[.authorization] == "Bearer test-key")
        let contentType = try #require(headers[.contentType])
        #expect(contentType.hasPrefix("multipart/form-data; boundary="))
        let text = String(decoding: body, as: UTF8.self)
        for field in [
            "name=\"model\"\r\n\r\nwhisper-1", "name=\"response_format\"\r\n\r\nverbose_json", "name=\"timestamp_granularities[]\"\r\n\r\nword",
        ] {
            #expect(text.contains(field), "the form has \(field)")
        }
        // The file part is a 16 kHz mono WAV of the memo (about 3.5 s).
        let riff = try #require(body.range(of: Data("RIFF".utf8)))
        let wav = body[riff.lowerBound...]
        let rate = wav.dropFirst(24).prefix(4).enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
        let channels = Int(wav.dropFirst(22).first ?? 0)
        #expect(rate == 16_000 && channels == 1)
        #expect(abs(Double(wav.count - 44) / 32_000 - 3.5) < 0.3)
    }

    @Test func aClientErrorIsNotRetriedAndIsReported() async throws {
        let service = FakeService(failures: [.badRequest], answer: Self.verboseJSON)
        try await withFake(service) { url in
            await #expect {
                _ = try await transcriber(url).transcribe(file: TestEnvironment.testmedia("speech1.wav"), maxDurationSeconds: 900)
            } throws: { error in
                String(describing: error).contains("400") && String(describing: error).contains("try again")
            }
        }
        #expect(service.requests.count == 1)
    }

    @Test func anUnreachableServiceFailsAfterItsAttempts() async throws {
        // Port 1 on loopback: nothing listens there.
        await #expect {
            _ = try await transcriber(URL(string: "http://127.0.0.1:1")!, attempts: 2, timeoutSeconds: 2)
                .transcribe(file: TestEnvironment.testmedia("speech1.wav"), maxDurationSeconds: 900)
        } throws: { error in
            String(describing: error).contains("could not be reached") && String(describing: error).contains("2 attempts")
        }
    }

    @Test func theEndpointIsAddedToABaseURL() {
        #expect(
            HTTPTranscriber.Configuration(url: URL(string: "http://127.0.0.1:8080")!).endpoint.absoluteString
                == "http://127.0.0.1:8080/v1/audio/transcriptions"
        )
        #expect(
            HTTPTranscriber.Configuration(url: URL(string: "http://h/openai/v1/audio/transcriptions")!).endpoint.absoluteString
                == "http://h/openai/v1/audio/transcriptions"
        )
    }
}
