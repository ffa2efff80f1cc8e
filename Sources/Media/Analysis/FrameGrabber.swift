/// Full-size pictures out of image and video files, through the shared `VideoDecoder`.
public enum FrameGrabber {
    /// The picture of an image file (or the first frame of a video), at most `limits.maxDimension` on its longer side.
    public static func firstPicture(path: String, limits: MediaLimits) throws -> RGBImage {
        let input = try MediaInput(path: path, limits: limits)
        let decoder = try VideoDecoder(input: input, targetSize: limits.maxDimension, output: .rgb24, skipLoopFilter: false)
        var picture: RGBImage?
        try decoder.forEachFrame { frame in
            picture = RGBImage(frame: frame)
            return false
        }
        guard let picture else { throw FFmpegError.unsupported("the file holds no picture") }
        return picture
    }

    /// Decodes a video once and keeps, for each group of candidate frame indices, the sharpest frame.
    /// Returns one picture per group (nil where none of its frames decoded), with the frame index and time.
    static func sharpest(
        path: String,
        candidates: [[Int]],
        limits: MediaLimits,
        deadlineSeconds: Double
    ) throws -> [(image: RGBImage, frame: Int, seconds: Double, sharpness: Double)?] {
        let input = try MediaInput(path: path, limits: limits)
        input.extendDeadline(seconds: deadlineSeconds)
        let decoder = try VideoDecoder(input: input, targetSize: limits.maxDimension, output: .rgb24, skipLoopFilter: false)
        var groupOf: [Int: [Int]] = [:]
        for (group, frames) in candidates.enumerated() {
            for frame in frames { groupOf[frame, default: []].append(group) }
        }
        let last = groupOf.keys.max() ?? -1
        var best = [(image: RGBImage, frame: Int, seconds: Double, sharpness: Double)?](repeating: nil, count: candidates.count)
        try decoder.forEachFrame(wants: { index, _ in groupOf[index] != nil }) { frame in
            let image = RGBImage(frame: frame)
            let sharpness = image.sharpness()
            for group in groupOf[frame.index] ?? [] where sharpness > (best[group]?.sharpness ?? -1) {
                best[group] = (image, frame.index, frame.seconds, sharpness)
            }
            return frame.index < last
        }
        return best
    }
}
