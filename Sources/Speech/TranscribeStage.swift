public import Contracts
public import Domain
import Foundation
public import Pipeline

/// `transcribe`: speech in audio attachments and in videos with sound, through the configured
/// `Transcriber`. The transcript and its word timings go into `analysis_json.transcribe`, the text into
/// `transcript_text`; a voice memo's transcript becomes the request's prompt when it has none.
public struct TranscribeStage: Stage {
    public struct Configuration: StageConfiguration {
        public var maxDurationSeconds = 900.0
        public static let options: [StageOption<Self>] = [.init("max_duration_seconds", \.maxDurationSeconds)]
        public init() {}
        public func validate() throws {
            guard maxDurationSeconds > 0 else { throw Self.invalid("must be positive", at: \.maxDurationSeconds) }
        }
    }

    public static let kind = "transcribe"
    public static let scope = StageScope.attachment
    public static let reads: [StageRead] = [.optional(ProbeResult.self)]

    let configuration: Configuration
    let transcriber: any Transcriber

    public init(configuration: Configuration, transcriber: any Transcriber) {
        self.configuration = configuration
        self.transcriber = transcriber
    }

    public func accepts(_ attachment: AttachmentSnapshot) -> Bool {
        attachment.mime.hasPrefix("audio/") || attachment.mime.hasPrefix("video/")
    }

    public func run(_ context: StageContext) async throws -> StageResult<Transcript> {
        let (attachment, file) = try context.attachmentAndFile()
        if let probe = try context.output(ProbeResult.self, for: attachment), probe.audio == nil {
            return StageResult(summary: "no audio track", output: Transcript(engine: transcriber.name, text: "", words: [], durationSeconds: nil))
        }
        let transcript = try await transcriber.transcribe(file: file, maxDurationSeconds: configuration.maxDurationSeconds)
        return StageResult(
            summary: transcript.words.isEmpty
                ? "no speech recognised (\(transcript.engine))"
                : "\(transcript.words.count) words (\(transcript.engine))",
            output: transcript,
            transcript: transcript.text.isEmpty ? nil : transcript.text
        )
    }
}
