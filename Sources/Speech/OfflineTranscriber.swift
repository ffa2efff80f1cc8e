public import Contracts
public import Foundation
public import Isolation
public import Media

/// The offline default: decodes and resamples the audio and runs pocketsphinx, all in the media worker.
public struct OfflineTranscriber: Transcriber {
    public let name = "pocketsphinx"
    let worker: MediaWorkerClient

    public init(worker: MediaWorkerClient) {
        self.worker = worker
    }

    public func transcribe(file: URL, maxDurationSeconds: Double) async throws -> Transcript {
        try await worker.run(TranscribeTask.self, .init(path: file.path, limits: MediaLimits { $0.maxDurationSeconds = maxDurationSeconds }))
    }

    /// Decodes to 16 kHz mono and recognises. Runs inside the worker.
    public static func transcribeHere(path: String, limits: MediaLimits) throws -> Transcript {
        let audio = try AudioDecoder.decode(path: path, limits: limits, deadlineSeconds: limits.maxDurationSeconds)
        return try PocketSphinxRecognizer.reused.use { try $0.recognize(audio) }
    }
}

/// `transcribe`: pocketsphinx over the decoded audio, with the decoder the child kept.
public enum TranscribeTask: WarmableTask {
    public static let verb = "transcribe"
    public static func perform(_ input: MediaFileInput) throws -> Transcript {
        try OfflineTranscriber.transcribeHere(path: input.path, limits: input.limits)
    }
    /// Loads pocketsphinx's model (0.35 s) for the child's first transcription.
    public static func warmUp() throws { try PocketSphinxRecognizer.reused.use { _ in } }
}

/// `speech-audio`: a file's audio as 16 kHz mono WAV, for transcription backends that take a file.
public enum SpeechAudioTask: IsolatedTask {
    public struct Input: Codable, Sendable {
        public var path: String
        public var output: String
        public var limits: MediaLimits
    }
    public static let verb = "speech-audio"
    /// Writes the WAV and returns its duration in seconds.
    public static func perform(_ input: Input) throws -> Double {
        let audio = try AudioDecoder.decode(path: input.path, limits: input.limits, deadlineSeconds: input.limits.maxDurationSeconds)
        try audio.wavData().write(to: URL(filePath: input.output))
        return audio.durationSeconds
    }
}

extension IsolatedWorkers {
    /// Decodes a file's audio to 16 kHz mono WAV at `output`, in a worker child.
    public func extractSpeechAudio(file: URL, to output: URL, limits: MediaLimits) async throws -> Double {
        try await run(SpeechAudioTask.self, .init(path: file.path, output: output.path, limits: limits))
    }
}
