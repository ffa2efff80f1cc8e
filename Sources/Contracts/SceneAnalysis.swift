public import Pipeline

/// The shots of a video and the changes between them: the `scenes` stage's output.
public struct SceneAnalysis: StageOutput, Equatable {
    public static let producer = "scenes"

    public let framesPerSecond: Double?
    public let frameCount: Int
    public let transitions: [SceneTransition]
    public let scenes: [Scene]

    public init(framesPerSecond: Double?, frameCount: Int, transitions: [SceneTransition], scenes: [Scene]) {
        self.framesPerSecond = framesPerSecond
        self.frameCount = frameCount
        self.transitions = transitions
        self.scenes = scenes
    }
}
