public import Contracts
import Foundation

/// One scene's representative frame, written as a full-size JPEG and a thumbnail.
public struct ExtractedKeyframe: Sendable, Codable, Equatable {
    /// The scene's position in the scene list.
    public var scene: Int
    public var frame: Int
    public var seconds: Double
    /// Variance of the Laplacian of the luma; the highest among the scene's candidates.
    public var sharpness: Double
    public var width: Int
    public var height: Int
    /// Files the worker wrote; the stage moves them into the blob store.
    public var imagePath: String
    public var thumbnailPath: String
}

/// What the worker needs to pick keyframes.
public struct KeyframeOptions: Sendable, Codable, Equatable {
    public var scenes: [Scene]
    /// Candidates per scene, spread over its middle part.
    public var candidatesPerScene = 5
    /// Thumbnail width in pixels.
    public var thumbnailWidth = 320
    public var deadlineSeconds: Double = 300
    public var limits: MediaLimits
    /// Where to write the JPEGs.
    public var outputDirectory: String

    /// The candidate frames of a scene: evenly spread over its middle 40 %, away from transitions.
    static func candidates(of scene: Scene, count: Int) -> [Int] {
        let length = scene.endFrame - scene.startFrame + 1
        guard length > 0 else { return [scene.startFrame] }
        let from = Double(scene.startFrame) + 0.3 * Double(length - 1)
        let to = Double(scene.startFrame) + 0.7 * Double(length - 1)
        let steps = max(1, count)
        let frames = (0..<steps).map { step in
            Int((steps == 1 ? (from + to) / 2 : from + (to - from) * Double(step) / Double(steps - 1)).rounded())
        }
        return Array(Set(frames)).sorted()
    }

    /// Decodes the video once, keeps the sharpest candidate of each scene, writes the JPEGs. Runs in the worker.
    public func extract(path: String) throws -> [ExtractedKeyframe] {
        _ = try MediaProber(limits: limits).probe(path: path)
        let groups = scenes.map { Self.candidates(of: $0, count: candidatesPerScene) }
        let picked = try FrameGrabber.sharpest(path: path, candidates: groups, limits: limits, deadlineSeconds: deadlineSeconds)
        let folder = URL(filePath: outputDirectory)
        return try picked.enumerated().compactMap { scene, choice in
            guard let choice else { return nil }
            let image = folder.appending(path: "scene-\(scene).jpg")
            let thumbnail = folder.appending(path: "scene-\(scene)-thumb.jpg")
            try JPEGEncoder.encode(choice.image, quality: 2).write(to: image)
            try JPEGEncoder.encode(choice.image, maxWidth: thumbnailWidth, quality: 4).write(to: thumbnail)
            return ExtractedKeyframe(
                scene: scene,
                frame: choice.frame,
                seconds: choice.seconds,
                sharpness: choice.sharpness,
                width: choice.image.width,
                height: choice.image.height,
                imagePath: image.path,
                thumbnailPath: thumbnail.path
            )
        }
    }
}
