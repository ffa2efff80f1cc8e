/// Tells a dense texture (gravel, foliage, fabric; a cellular-automaton pattern in `testmedia/texture.jpg`)
/// from a page that may hold text, before Tesseract's layout analysis is paid for.
///
/// Why a count of outlines, and why before Tesseract: on such a texture nearly all of Tesseract's time
/// goes to its layout analysis (finding blobs, tab stops, columns, lines), which its progress monitor
/// cannot interrupt; the recognition after it, which the monitor can cut, is the smaller part. Measured
/// on this machine (libtesseract 5.3.0, luma at 300 dpi as we hand it over, CPU seconds of the thread):
/// rule-110 texture with 2 px cells 5.2 s of layout and 0.9 s of recognition; rule 54 with 2 px cells
/// 4.9 s and 0.0 s; the same picture shrunk to half size 11.8 s of layout, so shrinking does not help.
/// Tesseract's blobs are outlines: connected components of ink and the holes in them, and the layout's
/// cost follows their number. Outlines per megapixel (8-connected ink, 4-connected background), counted
/// with Leptonica on Tesseract's own binarisation of the same luma; `outlinesPerMegapixel` counts the
/// same way after Otsu's threshold (the tests hold it to the same side of the line on the fixtures):
///
/// | picture | outlines per megapixel | layout, CPU s |
/// |---|---:|---:|
/// | a printed page photographed (12 lines of 44 px serif text) | 302 | 0.06 |
/// | a sign on a fractal photo | 4,344 | 0.07 |
/// | photo.jpg / photo2.jpg / photo3.jpg | 4,458 / 3,199 / 992 | 0.05 / 0.08 / 0.13 |
/// | Game of Life, 2 px cells | 6,462 | 0.52 |
/// | rule 110, 3 px cells | 9,034 | 2.0 |
/// | rule 54, 3 px cells | 12,023 | 4.1 |
/// | rule 110, 2 px cells (`texture.jpg`) | 20,038 | 5.2 |
/// | rule 54, 1.5 px cells | 48,966 | 4.4 |
///
/// Text is sparse in outlines: a letter is one ink outline and at most two holes, and a page of letters
/// small enough for Tesseract to read still stays well below 10,000 a megapixel. Above that, the page
/// pass is skipped where the caption search found nothing (captions are read from their bands either
/// way); below it, the budget bounds what the page costs.
enum PageTexture {
    /// Outlines per megapixel above which a page is texture, not text.
    static let textureOutlinesPerMegapixel = 10_000.0

    /// Whether an 8-bit grayscale page is dense texture by the measure above.
    static func isTexture(gray: [UInt8], width: Int, height: Int) -> Bool {
        outlinesPerMegapixel(gray: gray, width: width, height: height, stopAbove: textureOutlinesPerMegapixel) > textureOutlinesPerMegapixel
    }

    /// Connected components of ink (8-connected, darker than Otsu's threshold) and of background
    /// (4-connected, the holes and the ground around them), per megapixel.
    ///
    /// With `stopAbove`, counting stops at the first row after which the components no later row can join
    /// (those with no run on that row) are already more than that many per megapixel of the whole page,
    /// and that lower bound is returned: a texture is known before its last rows are read, the denser the sooner.
    static func outlinesPerMegapixel(gray: [UInt8], width: Int, height: Int, stopAbove: Double? = nil) -> Double {
        guard width > 0, height > 0 else { return 0 }
        let megapixels = Double(width) * Double(height) / 1_000_000
        let enough = stopAbove.map { $0 * megapixels }
        let threshold = otsu(gray)
        var ink = RunComponents(diagonal: true)
        var ground = RunComponents(diagonal: false)
        return gray.withUnsafeBufferPointer { pixels in
            for y in 0..<height {
                let row = y * width
                var x = 0
                while x < width {
                    let dark = pixels[row + x] < threshold
                    var end = x + 1
                    while end < width, (pixels[row + end] < threshold) == dark { end += 1 }
                    if dark { ink.add(start: x, end: end) } else { ground.add(start: x, end: end) }
                    x = end
                }
                ink.endRow()
                ground.endRow()
                let closed = ink.closed + ground.closed
                if let enough, Double(closed) > enough { return Double(closed) / megapixels }
            }
            return Double(ink.count + ground.count) / megapixels
        }
    }

    /// Otsu's threshold: the grey level that best splits the histogram into two classes.
    static func otsu(_ gray: [UInt8]) -> UInt8 {
        var histogram = [Int](repeating: 0, count: 256)
        for value in gray { histogram[Int(value)] += 1 }
        let total = Double(gray.count)
        let sum = (0..<256).reduce(0.0) { $0 + Double($1) * Double(histogram[$1]) }
        var below = 0.0
        var sumBelow = 0.0
        var best = 0.0
        var threshold = 128
        for level in 0..<256 {
            below += Double(histogram[level])
            guard below > 0, below < total else { continue }
            sumBelow += Double(level) * Double(histogram[level])
            let meanBelow = sumBelow / below
            let meanAbove = (sum - sumBelow) / (total - below)
            let between = below * (total - below) * (meanBelow - meanAbove) * (meanBelow - meanAbove)
            if between > best {
                best = between
                threshold = level + 1
            }
        }
        return UInt8(min(255, threshold))
    }
}

/// Counts connected components of runs, row by row (union-find over the runs of one colour), keeping
/// only the previous row's runs: memory follows the number of runs, not of pixels.
struct RunComponents {
    /// 8-connected (runs touching at a corner join) or 4-connected.
    let diagonal: Bool
    private var parent: [Int32] = []
    private var previous: [(start: Int, end: Int, id: Int32)] = []
    private var current: [(start: Int, end: Int, id: Int32)] = []
    private var cursor = 0
    /// Components so far.
    private(set) var count = 0

    init(diagonal: Bool) { self.diagonal = diagonal }

    /// A run of the colour on the row being read, `start..<end`, left to right.
    mutating func add(start: Int, end: Int) {
        let id = Int32(parent.count)
        parent.append(id)
        count += 1
        let reach = diagonal ? 1 : 0
        // Runs of the row above are in order; skip those that end before this one can touch them.
        while cursor < previous.count, previous[cursor].end + reach <= start { cursor += 1 }
        var index = cursor
        while index < previous.count, previous[index].start < end + reach {
            union(id, previous[index].id)
            index += 1
        }
        // The last run above may touch the next run on this row too.
        if index > cursor { cursor = index - 1 }
        current.append((start, end, id))
    }

    /// At least this many components are closed after `endRow`: each one still open has a run on the row
    /// just read, so later rows can merge at most that many away.
    var closed: Int { count - previous.count }

    mutating func endRow() {
        swap(&previous, &current)
        current.removeAll(keepingCapacity: true)
        cursor = 0
    }

    private mutating func find(_ id: Int32) -> Int32 {
        var root = id
        while parent[Int(root)] != root { root = parent[Int(root)] }
        var node = id
        while parent[Int(node)] != root {
            let next = parent[Int(node)]
            parent[Int(node)] = root
            node = next
        }
        return root
    }

    private mutating func union(_ a: Int32, _ b: Int32) {
        let rootA = find(a)
        let rootB = find(b)
        guard rootA != rootB else { return }
        parent[Int(max(rootA, rootB))] = min(rootA, rootB)
        count -= 1
    }
}
