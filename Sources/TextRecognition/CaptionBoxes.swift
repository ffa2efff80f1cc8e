import Media

/// Finds caption boxes: solid rectangles of one colour holding a line of text, as subtitles with a
/// background box are drawn. A box shows as rows where one colour runs unbroken across the box (its top
/// and bottom padding) around rows where the colour is broken by letters but still holds both edges.
/// Found by geometry rather than by colour share, so a dark box reads the same over a dark photo.
enum CaptionBoxFinder {
    /// Shortest unbroken run, as a share of the picture's width, that can be a box's edge row.
    static let minimumRunShare = 0.25
    /// Largest per-channel difference from the run's first pixel that still counts as the same colour.
    static let tolerance = 14

    /// - Parameter sampling: skip the rows two samples show cannot hold an edge run (the same boxes, faster;
    ///   false reads every row, for the tests that hold the two to the same answer).
    static func boxes(in image: RGBImage, limit: Int = 4, sampling: Bool = true) -> [CaptionBand] {
        let width = image.width
        let height = image.height
        guard width >= 32, height >= 32 else { return [] }
        let minimumRun = Int(Double(width) * minimumRunShare)
        // A run of `minimumRun` holds two samples `step` apart, each within `tolerance` of the run's first
        // pixel: a row where no two neighbouring samples are within twice that of each other has no such run.
        let step = max(1, minimumRun / 2)
        // The longest unbroken single-colour run of each row.
        var runs: [(start: Int, end: Int, colour: (Int, Int, Int))?] = Array(repeating: nil, count: height)
        image.pixels.withUnsafeBufferPointer { rgb in
            func mayHoldARun(_ y: Int) -> Bool {
                guard sampling else { return true }
                var x = 0
                while x + step < width {
                    let p = 3 * (y * width + x)
                    let q = p + 3 * step
                    if abs(Int(rgb[p]) - Int(rgb[q])) <= 2 * tolerance && abs(Int(rgb[p + 1]) - Int(rgb[q + 1])) <= 2 * tolerance
                        && abs(Int(rgb[p + 2]) - Int(rgb[q + 2])) <= 2 * tolerance
                    {
                        return true
                    }
                    x += step
                }
                return false
            }
            for y in 0..<height where mayHoldARun(y) {
                var best: (Int, Int, (Int, Int, Int))?
                var start = 0
                while start < width {
                    let p = 3 * (y * width + start)
                    let colour = (Int(rgb[p]), Int(rgb[p + 1]), Int(rgb[p + 2]))
                    var end = start + 1
                    while end < width {
                        let q = 3 * (y * width + end)
                        if abs(Int(rgb[q]) - colour.0) > tolerance || abs(Int(rgb[q + 1]) - colour.1) > tolerance
                            || abs(Int(rgb[q + 2]) - colour.2) > tolerance
                        {
                            break
                        }
                        end += 1
                    }
                    if end - start >= minimumRun, end - start > (best.map { $0.1 - $0.0 } ?? 0) { best = (start, end, colour) }
                    start = end
                }
                if let best { runs[y] = (best.0, best.1, best.2) }
            }
        }
        func sameColour(_ a: (Int, Int, Int), _ b: (Int, Int, Int)) -> Bool {
            abs(a.0 - b.0) <= tolerance && abs(a.1 - b.1) <= tolerance && abs(a.2 - b.2) <= tolerance
        }
        func pixel(_ x: Int, _ y: Int) -> (Int, Int, Int) {
            let p = 3 * (y * width + x)
            return (Int(image.pixels[p]), Int(image.pixels[p + 1]), Int(image.pixels[p + 2]))
        }
        var boxes: [CaptionBand] = []
        var y = 0
        while y < height, boxes.count < limit {
            guard let top = runs[y] else {
                y += 1
                continue
            }
            // Rows below whose run is broken but whose edges keep the box colour: the text rows.
            var row = y + 1
            while row < height, let run = runs[row], abs(run.start - top.start) <= 3, abs(run.end - top.end) <= 3, sameColour(run.colour, top.colour)
            {
                row += 1
            }
            let textTop = row
            while row < height, runs[row].map({ !(abs($0.start - top.start) <= 3 && abs($0.end - top.end) <= 3) }) ?? true,
                sameColour(pixel(top.start + 1, row), top.colour), sameColour(pixel(top.end - 2, row), top.colour)
            {
                row += 1
            }
            let textRows = row - textTop
            if textRows >= 8, textRows <= height / 5, row < height, let bottom = runs[row],
                abs(bottom.start - top.start) <= 3, abs(bottom.end - top.end) <= 3, sameColour(bottom.colour, top.colour)
            {
                var end = row
                while end < height, let run = runs[end], abs(run.start - top.start) <= 3, sameColour(run.colour, top.colour) { end += 1 }
                boxes.append(
                    CaptionBand(
                        red: top.colour.0,
                        green: top.colour.1,
                        blue: top.colour.2,
                        top: y,
                        bottom: end,
                        left: top.start,
                        right: top.end - 1,
                        pixelCount: (end - y) * (top.end - top.start),
                        isBox: true
                    )
                )
                y = end
            } else {
                y = max(y + 1, textTop)
            }
        }
        return boxes
    }
}
