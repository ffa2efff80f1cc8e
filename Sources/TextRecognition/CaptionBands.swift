import Media

/// A horizontal strip of a picture where one colour gathers like a line of caption text does.
struct CaptionBand: Sendable, Equatable {
    /// The text's colour (mean of the colour's pixels).
    var red: Int, green: Int, blue: Int
    /// Rows `top..<bottom` and columns `left...right` holding the colour's pixels.
    var top: Int, bottom: Int, left: Int, right: Int
    /// How many pixels have that colour.
    var pixelCount: Int
    /// The colour fills its strip: a caption box (a subtitle's background), whose text is whatever is not
    /// the box's colour.
    var isBox = false

    var height: Int { bottom - top }
    var colorHex: String {
        "#" + [red, green, blue].map { String($0, radix: 16).leftPadded(to: 2) }.joined()
    }
}

/// Finds caption bands: colours (quantised to 4 bits a channel) whose pixels crowd into a strip no taller
/// than a quarter of the picture, wide and sparse like strokes of text rather than a filled shape.
///
/// This is what lets OCR read captions the Tesseract CLI reads nothing from here: yellow text over colour
/// bars (the bars are other colours), white text on a two-tone texture (the texture's light grey is not
/// the text's white), a caption burned into video over a darkened box.
enum CaptionBandFinder {
    /// Smallest share of the picture a text colour must cover.
    static let minimumShare = 0.002
    /// Share of a colour's pixels that must fall inside its strip.
    static let minimumConcentration = 0.85
    /// A filled rectangle is not text: strokes cover at most this share of their bounding box.
    static let maximumFill = 0.6
    /// A caption box: its colour fills at least this share of its strip (the text takes the rest).
    static let minimumBoxFill = 0.7

    static func bands(in image: RGBImage, limit: Int = 8) -> [CaptionBand] {
        let width = image.width
        let height = image.height
        let count = width * height
        guard width >= 16, height >= 16 else { return [] }
        @inline(__always) func bin(_ rgb: UnsafeBufferPointer<UInt8>, _ pixel: Int) -> Int {
            (Int(rgb[3 * pixel]) >> 4) << 8 | (Int(rgb[3 * pixel + 1]) >> 4) << 4 | Int(rgb[3 * pixel + 2]) >> 4
        }
        var bins = [Int32](repeating: 0, count: 4096)
        image.pixels.withUnsafeBufferPointer { rgb in
            bins.withUnsafeMutableBufferPointer { bins in
                for pixel in 0..<count { bins[bin(rgb, pixel)] &+= 1 }
            }
        }
        let floor = max(50, Int(Double(count) * minimumShare))
        let chosen = (0..<4096).filter { Int(bins[$0]) >= floor }.sorted { bins[$0] > bins[$1] }.prefix(40)
        guard !chosen.isEmpty else { return [] }
        // Colours not chosen count into one more slot, `k`, whose figures are never read: the loops below then
        // have no branch on the colour, which on a busy picture they mispredicted at nearly every pixel.
        let k = chosen.count
        var slot = [Int](repeating: k, count: 4096)
        for (index, bin) in chosen.enumerated() { slot[bin] = index }

        // How many pixels of each chosen colour each row holds (a row's counts side by side).
        var rows = [Int32](repeating: 0, count: (k + 1) * height)
        image.pixels.withUnsafeBufferPointer { rgb in
            slot.withUnsafeBufferPointer { slot in
                rows.withUnsafeMutableBufferPointer { rows in
                    for y in 0..<height {
                        let base = y * (k + 1)
                        for pixel in (y * width)..<((y + 1) * width) { rows[base + slot[bin(rgb, pixel)]] &+= 1 }
                    }
                }
            }
        }

        // The colours that crowd into a strip: the densest `window` rows hold most of their pixels.
        let window = max(8, height / 4)
        var strips: [(slot: Int, top: Int, bottom: Int)] = []
        for s in 0..<k {
            let total = Int(bins[chosen[s]])
            var inside = 0
            for y in 0..<min(window, height) { inside += Int(rows[y * (k + 1) + s]) }
            var best = inside
            var bestTop = 0
            if window < height {
                for top in 1...(height - window) {
                    inside += Int(rows[(top + window - 1) * (k + 1) + s]) - Int(rows[(top - 1) * (k + 1) + s])
                    if inside > best {
                        best = inside
                        bestTop = top
                    }
                }
            }
            guard Double(best) >= minimumConcentration * Double(total) else { continue }
            var top = bestTop
            var bottom = min(height, bestTop + window)
            while top < bottom, rows[top * (k + 1) + s] == 0 { top += 1 }
            while bottom > top, rows[(bottom - 1) * (k + 1) + s] == 0 { bottom -= 1 }
            if bottom - top >= 8 { strips.append((s, top, bottom)) }
        }
        guard !strips.isEmpty else { return [] }

        // Column extents and colour sums of those colours alone, over the rows that hold any of their pixels
        // (a busy picture's colours rarely crowd, so this pass is mostly skipped).
        var kept = [Int](repeating: strips.count, count: 4096)
        for (index, strip) in strips.enumerated() { kept[chosen[strip.slot]] = index }
        let n = strips.count
        var left = [Int](repeating: width, count: n + 1)
        var right = [Int](repeating: -1, count: n + 1)
        var sums = [Int](repeating: 0, count: 3 * (n + 1))
        image.pixels.withUnsafeBufferPointer { rgb in
            kept.withUnsafeBufferPointer { kept in
                left.withUnsafeMutableBufferPointer { left in
                    right.withUnsafeMutableBufferPointer { right in
                        sums.withUnsafeMutableBufferPointer { sums in
                            for y in 0..<height where strips.contains(where: { rows[y * (k + 1) + $0.slot] > 0 }) {
                                for x in 0..<width {
                                    let pixel = y * width + x
                                    let s = kept[bin(rgb, pixel)]
                                    left[s] = min(left[s], x)
                                    right[s] = max(right[s], x)
                                    sums[3 * s] &+= Int(rgb[3 * pixel])
                                    sums[3 * s + 1] &+= Int(rgb[3 * pixel + 1])
                                    sums[3 * s + 2] &+= Int(rgb[3 * pixel + 2])
                                }
                            }
                        }
                    }
                }
            }
        }

        var bands: [CaptionBand] = []
        for (s, strip) in strips.enumerated() {
            let total = Int(bins[chosen[strip.slot]])
            let (top, bottom) = (strip.top, strip.bottom)
            let bandWidth = right[s] - left[s] + 1
            guard bandWidth >= bottom - top else { continue }
            let fill = Double(total) / Double((bottom - top) * bandWidth)
            // A wide strip the colour mostly fills is a caption box; a middling fill is neither strokes nor box.
            let isBox = fill >= minimumBoxFill && bandWidth >= 3 * (bottom - top) && bottom - top <= height / 6
            guard fill <= maximumFill || isBox else { continue }
            bands.append(
                CaptionBand(
                    red: sums[3 * s] / total,
                    green: sums[3 * s + 1] / total,
                    blue: sums[3 * s + 2] / total,
                    top: top,
                    bottom: bottom,
                    left: left[s],
                    right: right[s],
                    pixelCount: total,
                    isBox: isBox
                )
            )
            if bands.count == limit { break }
        }
        return bands
    }
}

extension String {
    func leftPadded(to length: Int) -> String { String(repeating: "0", count: max(0, length - count)) + self }
}
