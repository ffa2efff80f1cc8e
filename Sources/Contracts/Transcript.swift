public import Domain
public import Pipeline

/// What was said in an attachment's audio: the `transcribe` stage's output.
public struct Transcript: StageOutput, Equatable {
    public static let producer = "transcribe"

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
