public import Contracts
public import Foundation

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
