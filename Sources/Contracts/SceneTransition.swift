/// A change from one shot to the next.
public struct SceneTransition: Sendable, Codable, Equatable {
    public enum Kind: String, Sendable, Codable { case cut, dissolve }
    public let kind: Kind
    /// The first frame of the new shot (for a dissolve, the middle of the blend).
    public let frame: Int
    public let seconds: Double
    /// The detector's score at that frame.
    public let score: Double
    /// For a dissolve, the frames the blend spans.
    public let startFrame: Int?
    public let endFrame: Int?
    /// Which detector found it.
    public let detector: String

    public init(kind: Kind, frame: Int, seconds: Double, score: Double, startFrame: Int?, endFrame: Int?, detector: String) {
        self.kind = kind
        self.frame = frame
        self.seconds = seconds
        self.score = score
        self.startFrame = startFrame
        self.endFrame = endFrame
        self.detector = detector
    }
}
