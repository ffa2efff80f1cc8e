import CPixelKernels

/// What the scene detectors need from each frame: differences to the previous frame, computed once.
struct FrameStatistics: Sendable {
    let index: Int
    let seconds: Double
    /// PySceneDetect's content value: the mean absolute change of hue (0–180), saturation and value (0–255)
    /// from the previous frame, averaged over the three. 0 for the first frame.
    let contentScore: Double
    /// Mean absolute luma change from the previous frame (0–255).
    let lumaChange: Double
    /// Variance of the frame's luma (contrast), for detectors and the `--stats` export.
    let lumaVariance: Double
}

/// Turns decoded RGB frames into `FrameStatistics`, keeping the previous frame's HSV and luma planes.
struct FrameStatisticsBuilder {
    private var previousHSV: [UInt8] = []
    private var previousLuma: [UInt8] = []
    private var hsv: [UInt8] = []
    private var luma: [UInt8] = []

    /// The statistics of `frame` (RGB24), and its luma plane for detectors that keep frames.
    mutating func add(_ frame: AnalysisFrame) -> (FrameStatistics, [UInt8]) {
        let count = frame.width * frame.height
        if hsv.count != count * 3 {
            hsv = [UInt8](repeating: 0, count: count * 3)
            luma = [UInt8](repeating: 0, count: count)
        }
        let hasPrevious = previousHSV.count == count * 3
        // One pass in C (`CPixelKernels`): convert, compare with the previous frame and sum, per pixel;
        // the same integer arithmetic as `hsv(_:_:_:)` below.
        var sums = drsocial_frame_sums()
        hsv.withUnsafeMutableBufferPointer { hsvOut in
            luma.withUnsafeMutableBufferPointer { lumaOut in
                previousHSV.withUnsafeBufferPointer { hsvBefore in
                    previousLuma.withUnsafeBufferPointer { lumaBefore in
                        drsocial_frame_statistics(
                            frame.pixels.baseAddress,
                            Int32(frame.width),
                            Int32(frame.height),
                            Int32(frame.stride),
                            hsvOut.baseAddress,
                            lumaOut.baseAddress,
                            hsvBefore.baseAddress,
                            lumaBefore.baseAddress,
                            hasPrevious ? 1 : 0,
                            &sums
                        )
                    }
                }
            }
        }
        let hueSum = Int(sums.hue)
        let saturationSum = Int(sums.saturation)
        let valueSum = Int(sums.value)
        let lumaChangeSum = Int(sums.luma_change)
        let lumaTotal = Int(sums.luma_total)
        let lumaSquares = Int(sums.luma_squares)
        let mean = Double(lumaTotal) / Double(count)
        let variance = Double(lumaSquares) / Double(count) - mean * mean
        let content = hasPrevious ? Double(hueSum + saturationSum + valueSum) / Double(3 * count) : 0
        let lumaChange = hasPrevious ? Double(lumaChangeSum) / Double(count) : 0
        swap(&previousHSV, &hsv)
        swap(&previousLuma, &luma)
        return (
            FrameStatistics(
                index: frame.index,
                seconds: frame.seconds,
                contentScore: content,
                lumaChange: lumaChange,
                lumaVariance: variance
            ), previousLuma
        )
    }

    /// OpenCV's 8-bit HSV: hue 0–179, saturation and value 0–255.
    static func hsv(_ r: Int, _ g: Int, _ b: Int) -> (UInt8, UInt8, UInt8) {
        let maximum = max(r, g, b)
        let minimum = min(r, g, b)
        let delta = maximum - minimum
        let s = maximum == 0 ? 0 : (255 * delta + maximum / 2) / maximum
        guard delta > 0 else { return (0, UInt8(s), UInt8(maximum)) }
        var h: Int
        if maximum == r {
            h = (60 * (g - b)) / delta
        } else if maximum == g {
            h = 120 + (60 * (b - r)) / delta
        } else {
            h = 240 + (60 * (r - g)) / delta
        }
        if h < 0 { h += 360 }
        return (UInt8(h / 2), UInt8(s), UInt8(maximum))
    }
}
