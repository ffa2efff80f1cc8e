public import Domain
public import Foundation

/// What was said in an attachment's audio.
public struct Transcript: Sendable, Codable, Equatable {
    /// A recognised word and when it was said, in seconds from the start of the audio.
    public typealias Word = TimedWord

    /// Which engine produced it (`pocketsphinx`, `http`).
    public var engine: String
    public var text: String
    public var words: [Word]
    /// Length of the audio that was transcribed, in seconds.
    public var durationSeconds: Double?
    /// Seconds the engine took; with `durationSeconds`, the real-time factor.
    public var elapsedSeconds: Double?

    public init(engine: String, text: String, words: [Word], durationSeconds: Double?, elapsedSeconds: Double? = nil) {
        self.engine = engine
        self.text = text
        self.words = words
        self.durationSeconds = durationSeconds
        self.elapsedSeconds = elapsedSeconds
    }
}

/// Turns an attachment's speech into a transcript with word timings. The offline default is
/// pocketsphinx; `HTTPTranscriber` calls any OpenAI-compatible `/v1/audio/transcriptions` endpoint.
public protocol Transcriber: Sendable {
    var name: String { get }
    func transcribe(file: URL, maxDurationSeconds: Double) async throws -> Transcript
}

/// Transcription failed for a reason worth telling the operator.
public struct TranscriptionError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
