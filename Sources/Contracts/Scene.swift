/// One shot between transitions.
public struct Scene: Sendable, Codable, Equatable {
    public let startFrame: Int
    public let endFrame: Int
    public let startSeconds: Double
    public let endSeconds: Double

    public init(startFrame: Int, endFrame: Int, startSeconds: Double, endSeconds: Double) {
        self.startFrame = startFrame
        self.endFrame = endFrame
        self.startSeconds = startSeconds
        self.endSeconds = endSeconds
    }
}
