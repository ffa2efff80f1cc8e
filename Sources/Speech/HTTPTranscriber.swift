public import AsyncHTTPClient
public import Contracts
import Domain
public import Foundation
import Logging
public import Media
import NIOCore
import NIOFoundationCompat
import NIOHTTP1

/// Transcribes through any OpenAI-compatible `POST /v1/audio/transcriptions` endpoint (whisper.cpp's server,
/// faster-whisper-server, hosted Whisper): the audio, decoded to 16 kHz mono WAV in the media worker, goes up
/// as multipart form data with `response_format=verbose_json` and word timestamps. Timeouts per request;
/// connection failures, 429 and 5xx are retried with backoff; other answers fail at once with their text.
public struct HTTPTranscriber: Transcriber {
    public struct Configuration: Sendable {
        /// The endpoint, or a base URL to which `/v1/audio/transcriptions` is added.
        public var url: URL
        public var apiKey: String?
        public var model = "whisper-1"
        public var timeoutSeconds: Int64 = 120
        public var attempts = 3
        /// First retry delay; doubled each time.
        public var backoffSeconds: Double = 1

        /// The endpoint with the defaults above, changed by `adjust`: `.init(url: url) { $0.attempts = 5 }`.
        public init(url: URL, _ adjust: (inout Self) -> Void = { _ in }) {
            self.url = url
            adjust(&self)
        }

        /// `…/audio/transcriptions` as given, else the base URL with `/v1/audio/transcriptions` added.
        public var endpoint: URL {
            url.path.hasSuffix("/audio/transcriptions") ? url : url.appending(path: "v1/audio/transcriptions")
        }
    }

    public let name = "http"
    let configuration: Configuration
    let worker: MediaWorkerClient
    let client: HTTPClient

    public init(configuration: Configuration, worker: MediaWorkerClient, client: HTTPClient = .shared) {
        self.configuration = configuration
        self.worker = worker
        self.client = client
    }

    public func transcribe(file: URL, maxDurationSeconds: Double) async throws -> Transcript {
        let wav = FileManager.default.temporaryDirectory.appending(path: "drsocial-speech-\(UUID().uuidString).wav")
        defer { try? FileManager.default.removeItem(at: wav) }
        let duration = try await worker.extractSpeechAudio(file: file, to: wav, limits: MediaLimits { $0.maxDurationSeconds = maxDurationSeconds })
        let started = ContinuousClock.now
        let answer = try await post(audio: try Data(contentsOf: wav))
        let elapsed = ContinuousClock.now - started
        var transcript = try Self.transcript(from: answer)
        transcript.durationSeconds = transcript.durationSeconds ?? duration
        transcript.elapsedSeconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        return transcript
    }

    /// Sends the request, retrying what retrying can fix.
    func post(audio: Data) async throws -> Data {
        let boundary = "drsocial-\(UUID().uuidString)"
        let body = Self.multipartBody(audio: audio, model: configuration.model, boundary: boundary)
        var delay = configuration.backoffSeconds
        var lastProblem = "no attempt was made"
        for attempt in 1...max(1, configuration.attempts) {
            var request = HTTPClientRequest(url: configuration.endpoint.absoluteString)
            request.method = .POST
            request.headers.add(name: "Content-Type", value: "multipart/form-data; boundary=\(boundary)")
            if let key = configuration.apiKey, !key.isEmpty { request.headers.add(name: "Authorization", value: "Bearer \(key)") }
            request.body = .bytes(ByteBuffer(data: body))
            do {
                let response = try await client.execute(request, timeout: .seconds(configuration.timeoutSeconds))
                let bytes = try await response.body.collect(upTo: 16 << 20)
                let data = Data(buffer: bytes)
                let status = Int(response.status.code)
                if (200..<300).contains(status) { return data }
                lastProblem = "the transcription service answered \(status): \(String(decoding: data.prefix(300), as: UTF8.self))"
                guard status == 429 || status >= 500 else { throw TranscriptionError(lastProblem) }
            } catch let error as TranscriptionError {
                throw error
            } catch {
                lastProblem = "the transcription service could not be reached: \(error)"
            }
            if attempt < configuration.attempts {
                try await Task.sleep(for: .seconds(delay))
                delay *= 2
            }
        }
        throw TranscriptionError("\(lastProblem) (after \(configuration.attempts) attempts)")
    }

    static func multipartBody(audio: Data, model: String, boundary: String) -> Data {
        var body = Data()
        func field(_ name: String, _ value: String) {
            body.append(Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n\(value)\r\n".utf8))
        }
        field("model", model)
        field("response_format", "verbose_json")
        field("timestamp_granularities[]", "word")
        field("timestamp_granularities[]", "segment")
        body.append(
            Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"audio.wav\"\r\nContent-Type: audio/wav\r\n\r\n".utf8)
        )
        body.append(audio)
        body.append(Data("\r\n--\(boundary)--\r\n".utf8))
        return body
    }

    /// Reads a `verbose_json` answer: word timings from `words`, else from each segment's `words`.
    static func transcript(from data: Data) throws -> Transcript {
        struct Answer: Decodable {
            struct Word: Decodable {
                var word: String
                var start: Double
                var end: Double
            }
            struct Segment: Decodable { var words: [Word]? }
            var text: String
            var duration: Double?
            var words: [Word]?
            var segments: [Segment]?
        }
        let answer: Answer
        do {
            answer = try JSONDecoder().decode(Answer.self, from: data)
        } catch {
            throw TranscriptionError("the transcription service gave an unreadable answer: \(String(decoding: data.prefix(200), as: UTF8.self))")
        }
        let words = (answer.words ?? answer.segments?.flatMap { $0.words ?? [] } ?? []).map {
            Transcript.Word(word: $0.word.trimmingCharacters(in: .whitespaces), start: $0.start, end: $0.end)
        }
        return Transcript(
            engine: "http",
            text: answer.text.trimmingCharacters(in: .whitespacesAndNewlines),
            words: words,
            durationSeconds: answer.duration
        )
    }
}
