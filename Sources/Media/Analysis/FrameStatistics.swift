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
        var hueSum = 0, saturationSum = 0, valueSum = 0, lumaChangeSum = 0, lumaTotal = 0, lumaSquares = 0
        // One pass, on raw pointers: convert, compare with the previous frame and sum, per pixel.
        hsv.withUnsafeMutableBufferPointer { hsvOut in
            luma.withUnsafeMutableBufferPointer { lumaOut in
                previousHSV.withUnsafeBufferPointer { hsvBefore in
                    previousLuma.withUnsafeBufferPointer { lumaBefore in
                        for y in 0..<frame.height {
                            let row = y * frame.stride
                            let base = y * frame.width
                            for x in 0..<frame.width {
                                let source = row + x * 3
                                let r = Int(frame.pixels[source]), g = Int(frame.pixels[source + 1]), b = Int(frame.pixels[source + 2])
                                let pixel = base + x
                                let (h, s, v) = Self.hsv(r, g, b)
                                let y8 = (77 * r + 150 * g + 29 * b) >> 8
                                hsvOut[pixel * 3] = h
                                hsvOut[pixel * 3 + 1] = s
                                hsvOut[pixel * 3 + 2] = v
                                lumaOut[pixel] = UInt8(truncatingIfNeeded: y8)
                                lumaTotal += y8
                                lumaSquares += y8 * y8
                                if hasPrevious {
                                    hueSum += abs(Int(h) - Int(hsvBefore[pixel * 3]))
                                    saturationSum += abs(Int(s) - Int(hsvBefore[pixel * 3 + 1]))
                                    valueSum += abs(Int(v) - Int(hsvBefore[pixel * 3 + 2]))
                                    lumaChangeSum += abs(y8 - Int(lumaBefore[pixel]))
                                }
                            }
                        }
                    }
                }
            }
        }
        let mean = Double(lumaTotal) / Double(count)
        let variance = Double(lumaSquares) / Double(count) - mean * mean
        let content = hasPrevious ? Double(hueSum + saturationSum + valueSum) / Double(3 * count) : 0
        let lumaChange = hasPrevious ? Double(lumaChangeSum) / Double(count) : 0
        swap(&previousHSV, &hsv)
        swap(&previousLuma, &luma)
        return (FrameStatistics(index: frame.index, seconds: frame.seconds, contentScore: content, lumaChange: lumaChange,
                                lumaVariance: variance), previousLuma)
    }

    /// OpenCV's 8-bit HSV: hue 0–179, saturation and value 0–255.
    static func hsv(_ r: Int, _ g: Int, _ b: Int) -> (UInt8, UInt8, UInt8) {
        let maximum = max(r, g, b), minimum = min(r, g, b)
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
