public import Pipeline

/// One stored frame per scene: the `keyframes` stage's output.
public struct KeyframeList: StageOutput, Equatable {
    public static let producer = "keyframes"

    /// One stored keyframe.
    public struct Keyframe: Sendable, Codable, Equatable {
        public var scene: Int
        public var frame: Int
        public var seconds: Double
        public var sceneStartSeconds: Double
        public var sceneEndSeconds: Double
        public var sharpness: Double
        public var width: Int
        public var height: Int
        /// Blob paths.
        public var image: String
        public var thumbnail: String

        public init(
            scene: Int,
            frame: Int,
            seconds: Double,
            sceneStartSeconds: Double,
            sceneEndSeconds: Double,
            sharpness: Double,
            width: Int,
            height: Int,
            image: String,
            thumbnail: String
        ) {
            self.scene = scene
            self.frame = frame
            self.seconds = seconds
            self.sceneStartSeconds = sceneStartSeconds
            self.sceneEndSeconds = sceneEndSeconds
            self.sharpness = sharpness
            self.width = width
            self.height = height
            self.image = image
            self.thumbnail = thumbnail
        }
    }

    public var keyframes: [Keyframe]

    public init(keyframes: [Keyframe]) { self.keyframes = keyframes }
}
