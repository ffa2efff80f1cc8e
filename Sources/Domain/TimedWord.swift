/// A word and when it is spoken, in seconds from the start of its audio: what transcription produces and
/// what subtitles are timed by.
public struct TimedWord: Sendable, Codable, Equatable {
    public var word: String
    public var start: Double
    public var end: Double

    public init(word: String, start: Double, end: Double) {
        self.word = word
        self.start = start
        self.end = end
    }
}
