import Media

/// A binarised picture for Tesseract: text black on white, with a white margin, where `origin` and `scale`
/// map its pixels back to the source picture.
struct TextMask: Sendable {
    var gray: [UInt8]
    var width: Int
    var height: Int
    var originX: Int
    var originY: Int
    var scale: Int
    var margin: Int
}

/// Turns a caption band into black-on-white text: crop the strip (with a margin), keep the pixels that
/// belong to the text's colour, upscale small text, pad.
enum CaptionMasker {
    enum Rule: CaseIterable {
        /// A pixel is text when the text colour is the nearest of the strip's dominant colours: separates
        /// text from a background close to it (white on light grey).
        case nearestColor
        /// A pixel is text when it lies within a fixed colour distance: keeps thin anti-aliased strokes.
        case colorDistance
    }

    /// Text lower than this many pixels is upscaled ×2 (Tesseract reads best at 30–40 px x-height and up).
    static let smallText = 48

    static func mask(_ image: RGBImage, band: CaptionBand, rule: Rule) -> TextMask {
        if band.isBox { return boxMask(image, band: band) }
        let pad = max(4, band.height / 3)
        let x0 = max(0, band.left - pad)
        let x1 = min(image.width, band.right + 1 + pad)
        let y0 = max(0, band.top - pad)
        let y1 = min(image.height, band.bottom + pad)
        let cropWidth = x1 - x0
        let cropHeight = y1 - y0
        let text = (band.red, band.green, band.blue)

        var dominant: [(Int, Int, Int)] = []
        if rule == .nearestColor {
            var bins = [Int](repeating: 0, count: 4096)
            var sums = [Int](repeating: 0, count: 3 * 4096)
            image.pixels.withUnsafeBufferPointer { rgb in
                for y in y0..<y1 {
                    for x in x0..<x1 {
                        let p = 3 * (y * image.width + x)
                        let bin = (Int(rgb[p]) >> 4) << 8 | (Int(rgb[p + 1]) >> 4) << 4 | Int(rgb[p + 2]) >> 4
                        bins[bin] += 1
                        sums[3 * bin] += Int(rgb[p])
                        sums[3 * bin + 1] += Int(rgb[p + 1])
                        sums[3 * bin + 2] += Int(rgb[p + 2])
                    }
                }
            }
            let floor = max(1, cropWidth * cropHeight / 50)
            for bin in 0..<4096 where bins[bin] >= floor {
                dominant.append((sums[3 * bin] / bins[bin], sums[3 * bin + 1] / bins[bin], sums[3 * bin + 2] / bins[bin]))
            }
        }

        let scale = band.height < smallText ? 2 : 1
        let margin = 20
        let width = cropWidth * scale + 2 * margin
        let height = cropHeight * scale + 2 * margin
        var gray = [UInt8](repeating: 255, count: width * height)
        image.pixels.withUnsafeBufferPointer { rgb in
            for y in y0..<y1 {
                for x in x0..<x1 {
                    let p = 3 * (y * image.width + x)
                    let r = Int(rgb[p])
                    let g = Int(rgb[p + 1])
                    let b = Int(rgb[p + 2])
                    let toText = abs(r - text.0) + abs(g - text.1) + abs(b - text.2)
                    let isText: Bool
                    switch rule {
                    case .colorDistance:
                        isText = toText < 90
                    case .nearestColor:
                        isText = !dominant.contains { abs(r - $0.0) + abs(g - $0.1) + abs(b - $0.2) < toText }
                    }
                    guard isText else { continue }
                    for dy in 0..<scale {
                        let row = (margin + (y - y0) * scale + dy) * width + margin + (x - x0) * scale
                        for dx in 0..<scale { gray[row + dx] = 0 }
                    }
                }
            }
        }
        return TextMask(gray: gray, width: width, height: height, originX: x0, originY: y0, scale: scale, margin: margin)
    }

    /// Inside a caption box, text is every pixel far from the box's colour; the world outside the box is left out.
    static func boxMask(_ image: RGBImage, band: CaptionBand) -> TextMask {
        let inset = 2
        let x0 = min(image.width - 1, band.left + inset)
        let x1 = max(x0 + 1, band.right + 1 - inset)
        let y0 = min(image.height - 1, band.top + inset)
        let y1 = max(y0 + 1, band.bottom - inset)
        let scale = band.height < smallText ? 2 : 1
        let margin = 20
        let width = (x1 - x0) * scale + 2 * margin
        let height = (y1 - y0) * scale + 2 * margin
        var gray = [UInt8](repeating: 255, count: width * height)
        image.pixels.withUnsafeBufferPointer { rgb in
            for y in y0..<y1 {
                for x in x0..<x1 {
                    let p = 3 * (y * image.width + x)
                    let distance = abs(Int(rgb[p]) - band.red) + abs(Int(rgb[p + 1]) - band.green) + abs(Int(rgb[p + 2]) - band.blue)
                    guard distance > 180 else { continue }
                    for dy in 0..<scale {
                        let row = (margin + (y - y0) * scale + dy) * width + margin + (x - x0) * scale
                        for dx in 0..<scale { gray[row + dx] = 0 }
                    }
                }
            }
        }
        return TextMask(gray: gray, width: width, height: height, originX: x0, originY: y0, scale: scale, margin: margin)
    }
}
