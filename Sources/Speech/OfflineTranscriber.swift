public import Contracts
public import Foundation
public import Media

/// The offline default: decodes and resamples the audio and runs pocketsphinx, all in the media worker.
public struct OfflineTranscriber: Transcriber {
    public let name = "pocketsphinx"
    let worker: MediaWorkerClient

    public init(worker: MediaWorkerClient) {
        self.worker = worker
    }

    public func transcribe(file: URL, maxDurationSeconds: Double) async throws -> Transcript {
        let limits = MediaLimits(maxDurationSeconds: maxDurationSeconds)
        guard worker.configuration.executable != nil else { return try Self.transcribeHere(path: file.path, limits: limits) }
        let limitsJSON = String(decoding: try JSONEncoder().encode(limits), as: UTF8.self)
        return try await worker.run(["transcribe", "--limits", limitsJSON, file.path], as: Transcript.self)
    }

    /// Decodes to 16 kHz mono and recognises. Runs inside the worker.
    public static func transcribeHere(path: String, limits: MediaLimits) throws -> Transcript {
        let audio = try AudioDecoder.decode(path: path, limits: limits, deadlineSeconds: limits.maxDurationSeconds)
        return try PocketSphinxRecognizer().recognize(audio)
    }
}

extension MediaWorkerClient {
    /// Decodes a file's audio to 16 kHz mono WAV at `output`, in the worker (for transcription backends
    /// that take a file).
    public func extractSpeechAudio(file: URL, to output: URL, limits: MediaLimits) async throws -> Double {
        guard configuration.executable != nil else { return try Self.writeSpeechAudio(path: file.path, to: output.path, limits: limits) }
        let limitsJSON = String(decoding: try JSONEncoder().encode(limits), as: UTF8.self)
        return try await run(["speech-audio", "--limits", limitsJSON, "--output", output.path, file.path], as: Double.self)
    }

    /// Writes the WAV and returns its duration in seconds. Runs inside the worker.
    public static func writeSpeechAudio(path: String, to output: String, limits: MediaLimits) throws -> Double {
        let audio = try AudioDecoder.decode(path: path, limits: limits, deadlineSeconds: limits.maxDurationSeconds)
        try audio.wavData().write(to: URL(filePath: output))
        return audio.durationSeconds
    }
}
