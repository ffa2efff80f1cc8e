public import Pipeline

/// Text shown in a picture or a video's scenes: the `ocr` stage's output.
public struct OnScreenText: StageOutput, Equatable {
    public static let producer = "ocr"

    /// The text of one scene's keyframe.
    public struct SceneText: Sendable, Codable, Equatable {
        public var scene: Int
        public var seconds: Double
        public var text: String
        public var blocks: [RecognizedText.Block]

        public init(scene: Int, seconds: Double, text: String, blocks: [RecognizedText.Block]) {
            self.scene = scene
            self.seconds = seconds
            self.text = text
            self.blocks = blocks
        }
    }

    /// All text found, each distinct reading once.
    public var text: String
    /// For images: the picture's blocks.
    public var blocks: [RecognizedText.Block]?
    /// For videos: text per scene, where a scene shows text different from the scene before.
    public var scenes: [SceneText]?
    /// Pictures whose reading stopped early (at the OCR budget or deadline), each with what stopped it;
    /// nil when every picture was read to the end.
    public var notes: [String]?

    public init(text: String, blocks: [RecognizedText.Block]?, scenes: [SceneText]?, notes: [String]? = nil) {
        self.text = text
        self.blocks = blocks
        self.scenes = scenes
        self.notes = notes
    }
}
